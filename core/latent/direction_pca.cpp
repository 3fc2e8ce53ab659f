// GANSpace-style PCA in W (Härkönen et al., NeurIPS 2020): principal components of w = mapping(z) for many
// z, from a float64 covariance accumulated batch by batch (exact, and w_dim² memory for any sample count).
#include <cmath>

#include "core/io/errors.h"
#include "core/latent/direction_compute.h"
#include "core/latent/latents.h"
#include "core/latent/numpy_rng.h"
#include "core/model/ops.h"

namespace stylescope {

namespace {

// xᵀx for one batch [B, dim]. Debian's libtorch does float64 (and float32) matmuls in the reference BLAS,
// about 1 GFLOP/s; oneDNN's 1x1 convolution does the float32 product ~15x faster. The batch is centered
// and its sum of B products is rounded once to float32 (relative error ~1e-6); batches add up in float64.
torch::Tensor batch_products(const torch::Tensor& centered) {
  if (!at::hasMKLDNN() || centered.size(0) < 64) return centered.t().mm(centered);
  const auto columns = centered.t().to(torch::kFloat32).contiguous();  // [dim, B]
  const int64_t dim = columns.size(0), n = columns.size(1);
  const auto as_conv = columns.view({dim, n, 1, 1});
  return ops::conv2d(as_conv, as_conv).view({dim, dim}).to(torch::kFloat64);
}

}  // namespace

CovarianceAccumulator::CovarianceAccumulator(int64_t dim)
    : dim_(dim),
      sum_(torch::zeros({dim}, torch::kFloat64)),
      products_(torch::zeros({dim, dim}, torch::kFloat64)) {}

void CovarianceAccumulator::add(const torch::Tensor& rows_in) {
  if (rows_in.dim() != 2 || rows_in.size(1) != dim_)
    throw std::invalid_argument("CovarianceAccumulator: rows must be [B, " + std::to_string(dim_) + "]");
  if (rows_in.size(0) == 0) return;
  auto rows = rows_in.detach().to(torch::kCPU, torch::kFloat64);
  // Products about a shift near the mean: sum((x-s)(x-s)ᵀ) - N·(m-s)(m-s)ᵀ loses nothing to cancellation
  // when |mean| is large compared with the spread.
  if (!shift_.defined()) shift_ = rows.mean(0);
  auto centered = rows - shift_;
  sum_ += centered.sum(0);
  products_ += batch_products(centered);
  count_ += rows.size(0);
}

torch::Tensor CovarianceAccumulator::mean() const {
  if (count_ == 0) return torch::zeros({dim_}, torch::kFloat64);
  return shift_ + sum_ / static_cast<double>(count_);
}

torch::Tensor CovarianceAccumulator::covariance() const {
  if (count_ < 2) throw InputError("PCA needs at least 2 samples");
  const auto offset = sum_ / static_cast<double>(count_);
  auto cov = products_ - static_cast<double>(count_) * torch::outer(offset, offset);
  cov /= static_cast<double>(count_ - 1);
  return (cov + cov.t()) * 0.5;  // exactly symmetric for eigh
}

PrincipalComponents principal_components(const CovarianceAccumulator& accumulator, int k) {
  const auto cov = accumulator.covariance();
  const int64_t dim = cov.size(0);
  if (k < 1 || k > dim)
    throw InputError("--k: " + std::to_string(k) + " components asked, w has " + std::to_string(dim) +
                     " dimensions");
  auto [eigenvalues, eigenvectors] = torch::linalg_eigh(cov, "L");
  const auto order = torch::arange(dim - 1, dim - 1 - k, -1, torch::kLong);
  PrincipalComponents pc;
  pc.mean = accumulator.mean();
  pc.components = eigenvectors.t().index_select(0, order).contiguous();
  canonicalize_signs(pc.components);
  pc.variances = eigenvalues.index_select(0, order).clamp_min(0.0);
  pc.total_variance = cov.trace().item<double>();
  return pc;
}

DirectionSet pca_directions(Generator& generator, const PcaOptions& o, const ComputeControl& control) {
  torch::NoGradGuard no_grad;
  auto& mapping = generator->mapping;
  const int64_t z_dim = mapping->z_dim, w_dim = mapping->w_dim, num_ws = generator->synthesis->num_ws;
  if (o.samples < 2)
    throw InputError("--samples: PCA needs at least 2 samples, got " + std::to_string(o.samples));
  if (o.k < 1 || o.k > w_dim)
    throw InputError("--k: " + std::to_string(o.k) + " components asked, w has " + std::to_string(w_dim) +
                     " dimensions");
  const torch::Tensor label = class_label(static_cast<int>(mapping->c_dim), o.class_idx);
  const auto device = mapping->fc.front()->weight.device();
  const int64_t batch = std::max<int64_t>(o.batch, 1);

  NumpyRandomState rng(o.seed);
  CovarianceAccumulator acc(w_dim);
  for (int64_t done = 0; done < o.samples;) {
    if (control.cancel && control.cancel->load()) throw OperationCancelled();
    const int64_t n = std::min(batch, o.samples - done);
    auto z = torch::empty({n, z_dim}, torch::kFloat64);
    rng.randn(z.data_ptr<double>(), static_cast<size_t>(n * z_dim));
    const auto c = label.defined() ? label.expand({n, label.size(1)}).to(device) : torch::Tensor();
    // All num_ws rows are the same w at psi 1; one is the sample.
    const auto ws = mapping->forward(z.to(device), c, 1.0, std::nullopt);
    acc.add(ws.select(1, 0));
    done += n;
    if (control.progress) control.progress(done, o.samples);
  }
  const auto pc = principal_components(acc, o.k);

  DirectionSet set;
  set.method = "pca";
  set.scale_unit = "stddev";
  set.num_ws = num_ws;
  set.vectors = pc.components.to(torch::kFloat32).contiguous();
  const std::vector<int> layers = o.edit_layers.empty() ? all_layers(num_ws) : o.edit_layers;
  for (int i = 0; i < o.k; ++i) {
    Direction d;
    d.layers = layers;
    const double variance = pc.variances[i].item<double>();
    d.stddev = std::sqrt(variance);
    d.scale = *d.stddev;
    d.explained_variance = pc.total_variance > 0 ? variance / pc.total_variance : 0.0;
    set.directions.push_back(d);
  }
  const auto mean = pc.mean.to(torch::kFloat32).contiguous();
  set.details = {{"samples", o.samples},
                 {"seed", o.seed},
                 {"total_variance", pc.total_variance},
                 {"mean", std::vector<float>(mean.data_ptr<float>(), mean.data_ptr<float>() + w_dim)}};
  if (o.class_idx) set.details["class"] = *o.class_idx;
  return set;
}

}  // namespace stylescope
