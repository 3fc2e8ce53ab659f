#pragma once
// Computing direction sets for a generator: SeFa (Shen & Zhou, CVPR 2021), GANSpace-style PCA of w
// (Härkönen et al., NeurIPS 2020) and the difference of two mean ws. Each returns a DirectionSet whose
// model_hash is left empty (hashing a 1024 model takes a moment; callers that save the set fill it in).
#include <optional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/latent/directions.h"
#include "core/model/generator.h"

namespace stylescope {

// A style affine SeFa can factorize: the FullyConnectedLayer `affine` of a synthesis layer, by the ws index
// that layer reads. Conv layers come in order (b4.conv1 = 0, b8.conv0 = 1, b8.conv1 = 2, ...), the last
// block's ToRGB last (num_ws - 1), the same numbering as SeFa's `layer{i}` / `output{i//2}`.
struct StyleAffine {
  int ws_index = 0;
  std::string name;      // official module name, e.g. "synthesis.b8.conv0.affine"
  torch::Tensor weight;  // the raw parameter [out_channels, w_dim] (see sefa_directions on the gain)
};
std::vector<StyleAffine> style_affines(Generator& generator);

// SeFa: the affines of `layers` (ws indices; empty = all, i.e. every conv layer and the final ToRGB), each
// output channel's weight vector scaled to unit length, stacked as A; the eigenvectors of AᵀA by decreasing
// eigenvalue. The raw weight parameter is used, as SeFa's code does; the official layer multiplies it by a
// single weight_gain (lr_multiplier / sqrt(w_dim)) which the per-channel normalization cancels exactly.
// Eigenvectors are defined up to sign: each is flipped so that its largest-magnitude entry is positive.
// Every direction's edit range is `layers`. Direction scale 1 (α in w units, as SeFa's distances).
DirectionSet sefa_directions(Generator& generator, const std::vector<int>& layers, int k);

// The covariance of a stream of w rows: each batch centered on a shift (the first batch's mean), its
// products xᵀx formed in float32 through oneDNN (large batches; see batch_products) and summed over batches
// in float64. Memory is w_dim² whatever the sample count; large means cost no precision.
class CovarianceAccumulator {
 public:
  explicit CovarianceAccumulator(int64_t dim);
  void add(const torch::Tensor& rows);  // [B, dim], any float dtype and device
  int64_t count() const { return count_; }
  torch::Tensor mean() const;        // [dim] float64
  torch::Tensor covariance() const;  // [dim, dim] float64, unbiased (N - 1)

 private:
  int64_t dim_, count_ = 0;
  torch::Tensor shift_, sum_, products_;
};

struct PrincipalComponents {
  torch::Tensor mean;         // [dim] float64
  torch::Tensor components;   // [k, dim] float64, unit rows by decreasing variance, sign as in SeFa
  torch::Tensor variances;    // [k] float64
  double total_variance = 0;  // trace of the covariance
};
PrincipalComponents principal_components(const CovarianceAccumulator& accumulator, int k);

struct PcaOptions {
  int64_t samples = 100000;
  uint32_t seed = 0;  // z rows are np.random.RandomState(seed).randn(samples, z_dim), in order
  int k = 16;
  std::optional<int> class_idx;  // conditional models map every sample with this class
  int64_t batch = 4096;
  std::vector<int> edit_layers;  // empty = all
};
// PCA of w = mapping(z) at psi 1 (mapping network only, in batches). Direction scale = the component's
// standard deviation, so α counts standard deviations as in GANSpace. Throws OperationCancelled.
DirectionSet pca_directions(Generator& generator, const PcaOptions& options,
                            const ComputeControl& control = {});

// The direction from the mean w of set A to the mean w of set B (ws [N, w_dim] or [N, num_ws, w_dim]; all
// rows and layers averaged), stored as a unit vector with scale |mean_B - mean_A|: α = 1 moves a w by the
// whole difference. InputError when the means coincide.
DirectionSet mean_difference_direction(const torch::Tensor& ws_a, const torch::Tensor& ws_b, int64_t num_ws,
                                       const std::vector<int>& edit_layers);

// Flips each row of `vectors` [k, dim] so that its largest-magnitude entry is positive (in place).
void canonicalize_signs(torch::Tensor& vectors);

}  // namespace stylescope
