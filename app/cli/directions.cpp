// `stylescope directions`: compute a direction set (SeFa, PCA of w, or the difference of two mean ws) and
// write dirs.npy + dirs.json.
#include <cstdio>
#include <filesystem>

#include "app/cli/commands.h"
#include "app/cli/common.h"
#include "core/io/errors.h"
#include "core/latent/direction_compute.h"
#include "core/latent/direction_file.h"
#include "core/latent/latents.h"
#include "core/model/model_hash.h"
#include "core/util/atomic_file.h"
#include "core/util/int_list.h"

namespace stylescope::cli {

namespace {

struct DirectionsOptions {
  CommonOptions common;
  std::string method;
  std::string layers = "all";
  int k = 16;
  int64_t samples = 100000;
  uint32_t seed = 0;
  int64_t batch = 4096;
  std::optional<int> class_idx;
  std::string from, to, names;
};

bool is_ws_file(const std::string& spec) {
  const auto ends_with = [&](const char* ext) {
    const std::string e = ext;
    return spec.size() > e.size() && spec.compare(spec.size() - e.size(), e.size(), e) == 0;
  };
  return ends_with(".npy") || ends_with(".npz");
}

// ws [N, num_ws, w_dim] of a seed list (mapping at psi 1) or of a .npy/.npz file.
torch::Tensor ws_of(const std::string& spec, const char* flag, Renderer& renderer, const GeneratorConfig& cfg,
                    std::optional<int> class_idx) {
  if (spec.empty()) throw InputError(std::string("directions --method mean-diff needs ") + flag);
  if (is_ws_file(spec)) return load_ws_file(spec, cfg.num_ws(), cfg.w_dim);
  std::vector<torch::Tensor> ws;
  for (uint32_t seed : parse_seed_list(spec, flag)) {
    LatentRequest r;
    r.seed = seed;
    r.class_idx = class_idx;
    ws.push_back(renderer.ws_for(r).cpu());
  }
  return torch::cat(ws, 0);
}

void name_directions(DirectionSet& set, const std::string& names) {
  if (names.empty()) return;
  size_t i = 0, start = 0;
  while (start <= names.size()) {
    const size_t end = std::min(names.find(',', start), names.size());
    if (i >= set.directions.size())
      throw InputError("--names: " + std::to_string(i + 1) + " names for " + std::to_string(set.size()) +
                       " directions");
    set.directions[i++].name = names.substr(start, end - start);
    start = end + 1;
  }
}

void run_directions(const DirectionsOptions& o) {
  if (o.common.out.empty()) throw InputError("directions: --out dirs.npy is required");
  const torch::Device device = setup_device(o.common);
  LoadedModel model = load_model(resolve_model_path(o.common.model), device);
  const GeneratorConfig& cfg = model.config;
  const std::vector<int> layers = parse_layer_range(o.layers, cfg.num_ws());

  DirectionSet set;
  const double start = now_seconds();
  if (o.method == "sefa") {
    set = sefa_directions(model.G, layers, o.k);
  } else if (o.method == "pca") {
    PcaOptions pca;
    pca.samples = o.samples;
    pca.seed = o.seed;
    pca.k = o.k;
    pca.class_idx = o.class_idx;
    pca.batch = o.batch;
    pca.edit_layers = layers;
    ProgressBar bar("pca", o.samples);
    ComputeControl control;
    control.progress = [&](int64_t done, int64_t) { bar.update(done); };
    control.cancel = &g_cancelled;
    try {
      set = pca_directions(model.G, pca, control);
    } catch (const OperationCancelled&) {
      throw CancelledError();
    }
    bar.finish();
  } else {  // mean-diff
    Renderer renderer(model.G, device);
    const auto a = ws_of(o.from, "--from", renderer, cfg, o.class_idx);
    const auto b = ws_of(o.to, "--to", renderer, cfg, o.class_idx);
    set = mean_difference_direction(a, b, cfg.num_ws(), layers);
  }
  const double seconds = now_seconds() - start;
  name_directions(set, o.names);
  set.model_hash = model_hash(*model.G);
  set.details["model_file"] = std::filesystem::path(model.path).filename().string();
  ensure_parent_directory(o.common.out);
  save_direction_set(o.common.out, set);
  std::printf("%s: %lld directions in %.2fs -> %s (+ %s)\n", o.method.c_str(),
              static_cast<long long>(set.size()), seconds, o.common.out.c_str(),
              direction_sidecar_path(o.common.out).c_str());
}

}  // namespace

void add_directions_command(CLI::App& app) {
  auto opts = std::make_shared<DirectionsOptions>();
  CLI::App* cmd =
      app.add_subcommand("directions", "Compute semantic directions in w (SeFa, PCA, mean difference)");
  add_model_options(cmd, opts->common);
  cmd->add_option("--method", opts->method, "sefa, pca or mean-diff")
      ->required()
      ->check(CLI::IsMember({"sefa", "pca", "mean-diff"}));
  cmd->add_option(
      "--layers", opts->layers,
      "all (default) or ws indices such as 0-3: SeFa's factorized layers, and every direction's edit range");
  cmd->add_option("--k", opts->k, "Number of directions (default 16)")->check(CLI::PositiveNumber);
  cmd->add_option("--samples", opts->samples, "PCA: mapped samples (default 100000)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--seed", opts->seed, "PCA: z = RandomState(seed).randn(samples, z_dim) (default 0)");
  cmd->add_option("--batch", opts->batch, "PCA: samples per mapping batch (default 4096)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--class", opts->class_idx, "Class index for conditional models (PCA, mean-diff seeds)");
  cmd->add_option("--from", opts->from, "mean-diff: set A, seeds (0-49) or a ws file (.npy/.npz)");
  cmd->add_option("--to", opts->to, "mean-diff: set B, seeds or a ws file; the direction points from A to B");
  cmd->add_option("--names", opts->names, "Comma-separated names for directions 0, 1, ...");
  cmd->add_option("--out", opts->common.out, "Output .npy (the .json sidecar is written beside it)");
  cmd->callback([opts]() { run_directions(*opts); });
}

}  // namespace stylescope::cli
