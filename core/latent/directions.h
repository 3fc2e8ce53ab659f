#pragma once
// Semantic directions in w (issue 9): a set of k vectors with, per direction, the layers an edit moves and
// the length of one α unit; and edits, ws[l] += α_i · scale_i · d_i for every layer l of direction i.
//
// Order of operations wherever images are made (CLI and GUI alike): mapping -> truncation -> style mixing
// -> edits. Edits come last so that α means the same step in w whatever psi or mixing chose, as SeFa and
// GANSpace apply them to the final (truncated) codes. ws given with --w take the place of mapping and
// truncation; mixing and edits still apply.
#include <atomic>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <torch/torch.h>
#include <nlohmann/json.hpp>

namespace stylescope {

struct Direction {
  std::string name;         // a label the user gave ("" when none)
  std::vector<int> layers;  // ws indices an edit moves, ascending
  // w-space length of α = 1: the component's standard deviation for PCA, 1 for SeFa and user vectors.
  double scale = 1.0;
  std::optional<double> eigenvalue;          // SeFa: eigenvalue of AᵀA
  std::optional<double> stddev;              // PCA: standard deviation of w along the component
  std::optional<double> explained_variance;  // PCA: share of the total variance of w, in [0, 1]
};

struct DirectionSet {
  std::string method;      // "sefa", "pca", "user" (a .npy without sidecar) or "mean-difference"
  std::string model_hash;  // model_hash() of the generator the set was computed for; "" when unknown
  std::string scale_unit;  // what α counts: "w" (scale 1), "stddev" (PCA) or "mean-difference"
  int64_t num_ws = 0;      // of the model the layer ranges refer to (0: unknown, from a bare .npy)
  torch::Tensor
      vectors;  // [k, w_dim] float32 on the CPU; row i is direction i (unit length for SeFa and PCA)
  std::vector<Direction> directions;  // k entries
  nlohmann::json details =
      nlohmann::json::object();  // method facts: factorized layers, samples, seed, mean...

  int64_t size() const { return static_cast<int64_t>(directions.size()); }
  int64_t w_dim() const { return vectors.defined() ? vectors.size(1) : 0; }
};

// Long computations (PCA) report progress and stop when asked, for the CLI's progress bar and Ctrl-C and the
// GUI's worker thread.
struct ComputeControl {
  std::function<void(int64_t done, int64_t total)> progress;  // may be empty
  const std::atomic<bool>* cancel = nullptr;                  // polled between batches
};

struct OperationCancelled : std::runtime_error {
  OperationCancelled() : std::runtime_error("cancelled") {}
};

// One slider: direction `index` moved by `alpha` (in the set's scale unit).
struct DirectionEdit {
  int index = 0;
  double alpha = 0.0;
};

// ws [N, num_ws, w_dim] or [num_ws, w_dim] -> an edited copy. `layers_override`, when set, replaces every
// edited direction's own layer range. An edit with α = 0 is skipped, so all-zero edits return ws
// bit-identical. InputError for an index outside the set, a w_dim mismatch or a layer outside the ws.
torch::Tensor apply_edits(const torch::Tensor& ws, const DirectionSet& set,
                          const std::vector<DirectionEdit>& edits,
                          const std::optional<std::vector<int>>& layers_override = std::nullopt);

// "0:2.5,3:-1" -> {{0, 2.5}, {3, -1}}: comma-separated INDEX:ALPHA pairs, an index given once at most and
// below `count`. InputError prefixed with `flag` for anything else.
std::vector<DirectionEdit> parse_alpha_list(const std::string& text, int64_t count,
                                            const std::string& flag = "--alpha");

// 0 .. num_ws-1: the layer range "all" means.
std::vector<int> all_layers(int64_t num_ws);
// "all" or a list such as "0-3" (parse_layers) checked against num_ws.
std::vector<int> parse_layer_range(const std::string& text, int64_t num_ws,
                                   const std::string& flag = "--layers");

}  // namespace stylescope
