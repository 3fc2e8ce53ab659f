#include "core/project/projector.h"

#include <cmath>

#include "core/io/errors.h"
#include "core/latent/latents.h"
#include "core/latent/numpy_rng.h"
#include "core/model/noise_layers.h"
#include "core/render/seeded_generator.h"
#include "core/train/training_networks.h"

namespace stylescope {
namespace {

namespace F = torch::nn::functional;
constexpr double kPi = 3.14159265358979323846;

}  // namespace

WStatistics w_statistics(Generator& G, int samples, std::optional<int> class_idx) {
  if (samples < 1) throw InputError("the w statistics need at least one sample");
  torch::NoGradGuard no_grad;
  const auto& cfg = G->config;
  const auto device = G->mapping->w_avg.device();
  NumpyRandomState rng(123);
  const std::vector<double> z = rng.randn(static_cast<size_t>(samples) * cfg.z_dim);
  const auto z_all = torch::from_blob(const_cast<double*>(z.data()), {samples, cfg.z_dim}, torch::kFloat64)
                         .to(torch::kFloat32);
  std::vector<torch::Tensor> ws;
  const int64_t batch = 1000;
  for (int64_t start = 0; start < samples; start += batch) {
    const int64_t n = std::min<int64_t>(batch, samples - start);
    torch::Tensor c;
    if (cfg.c_dim > 0) {
      c = torch::zeros({n, cfg.c_dim});
      for (int64_t i = 0; i < n; ++i) c[i][class_idx ? *class_idx : (start + i) % cfg.c_dim] = 1;
      c = c.to(device);
    }
    auto w = G->mapping->forward(z_all.narrow(0, start, n).to(device), c, 1.0, std::nullopt);
    ws.push_back((w.dim() == 3 ? w.select(1, 0) : w).to(torch::kCPU, torch::kFloat64));
  }
  const auto all = torch::cat(ws);
  const auto avg = all.mean(0, true);
  WStatistics stats;
  stats.w_std = std::sqrt((all - avg).square().sum().item<double>() / samples);
  stats.w_avg = avg.to(torch::kFloat32);
  return stats;
}

torch::Tensor projector_view(const torch::Tensor& images) {
  if (images.size(2) > 256)
    return F::interpolate(
        images, F::InterpolateFuncOptions().size(std::vector<int64_t>{256, 256}).mode(torch::kArea));
  return images;
}

torch::Tensor noise_regularization(const std::vector<torch::Tensor>& noise_buffers) {
  torch::Tensor reg;
  for (const auto& v : noise_buffers) {
    torch::Tensor noise = v.unsqueeze(0).unsqueeze(0);
    while (true) {
      auto term = (noise * torch::roll(noise, 1, 3)).mean().square() +
                  (noise * torch::roll(noise, 1, 2)).mean().square();
      reg = reg.defined() ? reg + term : term;
      if (noise.size(2) <= 8) break;
      noise = F::avg_pool2d(noise, F::AvgPool2dFuncOptions(2));
    }
  }
  return reg.defined() ? reg : torch::zeros({});
}

Projector::Projector(Generator& generator, const torch::Tensor& target, ImageDistance& distance,
                     const ProjectionOptions& options, const WStatistics* stats)
    : G_(train::copy_generator(generator)),
      distance_(distance),
      options_(options),
      num_ws_(G_->synthesis->num_ws) {
  const auto& cfg = G_->config;
  if (options_.steps < 1) throw InputError("--steps must be at least 1");
  if (options_.w_avg_samples < 1) throw InputError("the w statistics need at least one sample");
  if (target.dim() != 3 || target.size(0) != cfg.img_channels || target.size(1) != cfg.img_resolution ||
      target.size(2) != cfg.img_resolution)
    throw InputError("the projection target must be [" + std::to_string(cfg.img_channels) + ", " +
                     std::to_string(cfg.img_resolution) + ", " + std::to_string(cfg.img_resolution) + "]");
  if (options_.class_idx) class_label(cfg.c_dim, options_.class_idx);  // checks the index
  const torch::Device device = G_->mapping->w_avg.device();
  rng_ = seeded_generator(device, options_.seed);
  const WStatistics computed = stats ? *stats : w_statistics(G_, options_.w_avg_samples, options_.class_idx);
  w_avg_ = computed.w_avg;
  w_std_ = computed.w_std;

  {
    torch::NoGradGuard no_grad;
    const auto t = target.to(device, torch::kFloat32).unsqueeze(0);
    target_features_ = distance_.features(projector_view(t)).detach();
  }
  auto start = w_avg_.to(device).unsqueeze(0);  // [1, 1, w_dim]
  if (options_.wplus) start = start.repeat({1, num_ws_, 1});
  w_opt_ = start.clone().set_requires_grad(true);
  std::vector<torch::Tensor> params{w_opt_};
  for (auto& layer : noise_layers(G_)) {
    layer->noise_const = layer->noise_const.detach().clone();
    noise_.push_back(layer->noise_const);
    params.push_back(layer->noise_const);
  }
  optimizer_ = std::make_unique<torch::optim::Adam>(
      params, torch::optim::AdamOptions(options_.initial_learning_rate).betas({0.9, 0.999}).eps(1e-8));
  {
    torch::NoGradGuard no_grad;
    for (auto& buf : noise_) buf.copy_(torch::randn(buf.sizes(), rng_, buf.options()));
  }
  for (auto& buf : noise_) buf.set_requires_grad(true);
}

void Projector::step() {
  if (done()) return;
  const double t = static_cast<double>(step_) / options_.steps;
  const double w_noise_scale = w_std_ * options_.initial_noise_factor *
                               std::pow(std::max(0.0, 1.0 - t / options_.noise_ramp_length), 2);
  double lr_ramp = std::min(1.0, (1.0 - t) / options_.lr_rampdown_length);
  lr_ramp = 0.5 - 0.5 * std::cos(lr_ramp * kPi);
  lr_ramp = lr_ramp * std::min(1.0, t / options_.lr_rampup_length);
  const double lr = options_.initial_learning_rate * lr_ramp;
  for (auto& group : optimizer_->param_groups())
    static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);

  const auto w_noise = torch::randn(w_opt_.sizes(), rng_, w_opt_.options()) * w_noise_scale;
  auto ws = w_opt_ + w_noise;
  if (!options_.wplus) ws = ws.repeat({1, num_ws_, 1});
  ForwardOptions fwd;
  fwd.noise_mode = NoiseMode::Const;
  // project() calls the synthesis network without force_fp32: on CUDA the blocks the pkl flags run in fp16.
  fwd.fp16 = w_opt_.is_cuda();
  auto synth = (G_->synthesis->forward(ws, fwd) + 1) * (255.0 / 2);
  const auto synth_features = distance_.features(projector_view(synth));
  const auto dist = distance_.distance(target_features_, synth_features).sum();
  const auto loss = dist + noise_regularization(noise_) * options_.regularize_noise_weight;

  optimizer_->zero_grad();
  loss.backward();
  optimizer_->step();
  last_distance_ = dist.item<double>();
  last_loss_ = loss.item<double>();
  ++step_;
  torch::NoGradGuard no_grad;
  for (auto& buf : noise_) {
    buf.sub_(buf.mean());
    buf.mul_(buf.square().mean().rsqrt());
  }
}

torch::Tensor Projector::ws() const {
  auto w = w_opt_.detach();
  return (options_.wplus ? w : w.repeat({1, num_ws_, 1})).clone();
}

}  // namespace stylescope
