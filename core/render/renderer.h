#pragma once
// Renderer: latent requests -> ws (mapping results cached) -> images. The GUI's AsyncRenderer and every
// CLI command go through it, so a change of synthesis-only inputs (noise, mixing layers) never re-runs
// the mapping network.
#include <cstdint>
#include <list>
#include <map>
#include <optional>
#include <tuple>

#include <torch/torch.h>

#include "core/model/generator.h"

namespace stylescope {

struct LatentRequest {
  uint32_t seed = 0;
  std::optional<int> class_idx;
  double psi = 1.0;
  std::optional<int> cutoff;
  // style_mixing.py truncates with the plain formula w_avg + (w - w_avg) * psi on every layer instead of
  // the mapping network's lerp; results differ only by rounding, but parity is kept per script.
  bool plain_truncation = false;
  // Conditional models: truncate towards the class's mean w instead of the w_avg tracked in training (an
  // average over every class, which the official code uses, so that low psi loses the class). Not official.
  bool class_center = false;

  auto key() const { return std::make_tuple(seed, class_idx, psi, cutoff, plain_truncation, class_center); }
};

// A small LRU of mapping results (ws [1, num_ws, w_dim]).
class MappingCache {
 public:
  explicit MappingCache(size_t capacity = 256) : capacity_(capacity) {}
  std::optional<torch::Tensor> get(const LatentRequest& request);
  void put(const LatentRequest& request, const torch::Tensor& ws);
  void clear();
  size_t hits() const { return hits_; }
  size_t misses() const { return misses_; }

 private:
  using Key = decltype(std::declval<LatentRequest>().key());
  size_t capacity_;
  std::list<std::pair<Key, torch::Tensor>> order_;  // most recent first
  std::map<Key, std::list<std::pair<Key, torch::Tensor>>::iterator> index_;
  size_t hits_ = 0, misses_ = 0;
};

class Renderer {
 public:
  Renderer(Generator generator, torch::Device device);
  // ws [1, num_ws, w_dim] for one seed (cached).
  torch::Tensor ws_for(const LatentRequest& request);
  // ws [1, num_ws, w_dim] for any z [1, z_dim] (an interpolated z), truncated as `request` says (its seed
  // is ignored; nothing is cached).
  torch::Tensor ws_for_z(const torch::Tensor& z, const LatentRequest& request);
  // ws [N, num_ws, w_dim] -> images [N, C, R, R] float32 on the CPU (unclamped). Runs in batches.
  torch::Tensor synthesize(const torch::Tensor& ws, const ForwardOptions& options, int64_t batch = 1);
  Generator& generator() { return generator_; }
  const MappingCache& cache() const { return cache_; }
  torch::Device device() const { return device_; }
  // The class's mean w [w_dim] on the device: 10,000 mapped samples (the projector's w statistics), cached.
  torch::Tensor class_center(int class_idx);

 private:
  Generator generator_;
  torch::Device device_;
  MappingCache cache_;
  std::map<int, torch::Tensor> class_centers_;
};

}  // namespace stylescope
