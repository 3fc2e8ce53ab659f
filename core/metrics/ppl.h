#pragma once
// Perceptual path length (StyleGAN2 paper §4; the official metrics/perceptual_path_length.py): the LPIPS
// distance between images at t and t + epsilon along random interpolation paths in z (slerp) or w (lerp),
// divided by epsilon², averaged after dropping the values below the 1st and above the 99th percentile.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/metrics/image_distance.h"
#include "core/model/generator.h"

namespace stylescope {

struct PplSettings {
  std::string metric;          // the official name: ppl_zfull, ppl_wfull, ppl_zend, ppl_wend, ppl2_wend
  bool space_w = true;         // interpolate in w (lerp) or z (slerp)
  bool sampling_full = false;  // t uniform in [0, 1) ("full") or 0 ("end")
  bool crop = true;            // the face crop: rows [3R/8, 7R/8), columns [2R/8, 6R/8)
  double epsilon = 1e-4;
  int64_t samples = 50000;  // the official N
  int64_t batch = 2;        // the official batch size (it sets the order of the random draws)
};

// The official settings for a metric name; InputError listing the names for anything else.
PplSettings ppl_settings(const std::string& metric);
const std::vector<std::string>& ppl_metric_names();

// One batch of PPLSampler.forward: draws t (rand [B]), z0 and z1 (randn [2B, z_dim]) and then a fresh value
// for every noise buffer of `G_noisy` (a copy of the generator whose buffers this overwrites) from `rng`, in
// the official order; returns the B distances (float32, on the CPU). `c`: [B, c_dim] labels (undefined for
// an unconditional model).
torch::Tensor ppl_batch(Generator& G_noisy, ImageDistance& lpips, const PplSettings& settings,
                        const torch::Tensor& c, at::Generator& rng);

// compute_ppl's reduction: the mean of the values within [1st percentile (lower), 99th (higher)].
double ppl_trimmed_mean(std::vector<double> values);

struct PplResult {
  double value = 0;
  std::vector<double> distances;
  double seconds = 0;
};

// The whole metric: settings.samples samples in batches on G's device, a copy of G holding the noise.
// Labels: `label_for(i)` gives sample i's label [c_dim] (conditional models; not called otherwise).
// progress(done) after each batch (it may throw to cancel).
PplResult compute_ppl(Generator& G, ImageDistance& lpips, const PplSettings& settings, uint64_t seed,
                      const std::function<torch::Tensor(int64_t)>& label_for,
                      const std::function<void(int64_t)>& progress = {});

}  // namespace stylescope
