#include "core/model/layers.h"

#include <cmath>

#include "core/io/errors.h"
#include "core/model/profile.h"

namespace stylescope {

NoiseMode parse_noise_mode(const std::string& name) {
  if (name == "const") return NoiseMode::Const;
  if (name == "random") return NoiseMode::Random;
  if (name == "none") return NoiseMode::None;
  throw InputError("--noise-mode: '" + name + "' is not one of const, random, none");
}

const char* noise_mode_name(NoiseMode mode) {
  switch (mode) {
    case NoiseMode::Const: return "const";
    case NoiseMode::Random: return "random";
    case NoiseMode::None: return "none";
  }
  return "?";
}

FullyConnectedLayerImpl::FullyConnectedLayerImpl(int64_t in_features, int64_t out_features, bool has_bias,
                                                 ops::Activation act, double lr_multiplier, double bias_init)
    : activation(act),
      weight_gain(lr_multiplier / std::sqrt(static_cast<double>(in_features))),
      bias_gain(lr_multiplier) {
  weight = register_parameter("weight", torch::randn({out_features, in_features}) / lr_multiplier);
  if (has_bias) bias = register_parameter("bias", torch::full({out_features}, bias_init));
}

torch::Tensor FullyConnectedLayerImpl::forward(const torch::Tensor& x) {
  auto w = weight.to(x.dtype()) * weight_gain;
  if (bias.defined()) {
    auto b = bias.to(x.dtype());
    if (bias_gain != 1.0) b = b * bias_gain;
    if (activation == ops::Activation::Linear) return torch::addmm(b.unsqueeze(0), x, w.t());
    return ops::bias_act(x.matmul(w.t()), b, activation, ops::default_gain(activation), std::nullopt);
  }
  return ops::bias_act(x.matmul(w.t()), std::nullopt, activation, ops::default_gain(activation), std::nullopt);
}

SynthesisLayerImpl::SynthesisLayerImpl(int64_t in_channels, int64_t out_channels, int64_t w_dim,
                                       int64_t res, int up_factor, bool noise, std::optional<double> clamp)
    : resolution(res), up(up_factor), use_noise(noise), conv_clamp(clamp) {
  affine = register_module("affine", FullyConnectedLayer(w_dim, in_channels, true, ops::Activation::Linear, 1.0, 1.0));
  weight = register_parameter("weight", torch::randn({out_channels, in_channels, 3, 3}));
  if (use_noise) noise_strength = register_parameter("noise_strength", torch::zeros({}));
  bias = register_parameter("bias", torch::zeros({out_channels}));
  resample_filter = register_buffer("resample_filter", ops::setup_filter());
  if (use_noise) noise_const = register_buffer("noise_const", torch::randn({resolution, resolution}));
}

torch::Tensor SynthesisLayerImpl::folded_weight() {
  if (torch::GradMode::is_enabled() && weight.requires_grad()) return ops::fold_up2_weight(weight);
  if (!folded_.defined() || folded_source_ != weight.data_ptr() || folded_version_ != weight._version() ||
      folded_.device() != weight.device()) {
    folded_ = ops::fold_up2_weight(weight);
    folded_source_ = weight.data_ptr();
    folded_version_ = weight._version();
  }
  return folded_;
}

torch::Tensor SynthesisLayerImpl::weight_square_sums() {
  if (torch::GradMode::is_enabled() && weight.requires_grad()) return weight.square().sum({2, 3});
  if (!square_sums_.defined() || square_source_ != weight.data_ptr() || square_version_ != weight._version() ||
      square_sums_.device() != weight.device()) {
    square_sums_ = weight.square().sum({2, 3});
    square_source_ = weight.data_ptr();
    square_version_ = weight._version();
  }
  return square_sums_;
}

torch::Tensor SynthesisLayerImpl::forward(torch::Tensor x, const torch::Tensor& w, const ForwardOptions& opt,
                                          double gain) {
  const int64_t n = x.size(0), in_ch = weight.size(1), out_ch = weight.size(0);
  torch::Tensor styles;
  {
    profile::Scope scope("affine");
    styles = affine->forward(w);  // [N, I]
  }
  torch::Tensor noise;
  if (use_noise && opt.noise_mode == NoiseMode::Random) {
    noise = torch::randn({n, 1, resolution, resolution}, x.options()) * noise_strength.to(x.dtype());
  } else if (use_noise && opt.noise_mode == NoiseMode::Const) {
    noise = (noise_const * noise_strength).to(x.dtype());
  }
  const bool half = x.scalar_type() == torch::kHalf;
  torch::Tensor wgt = weight;
  if (half) {
    // The official fp16 pre-normalization (spec §1.6 step 1); it cancels under demodulation.
    wgt = weight * (1.0 / std::sqrt(static_cast<double>(in_ch * 9))) /
          weight.abs().amax({1, 2, 3}, true);
    styles = styles / styles.abs().amax({1}, true);
  }
  if (opt.fused_modconv) {
    // Per-sample weights, demodulated, one grouped convolution.
    profile::Scope scope_m("modulate");
    auto wn = wgt.unsqueeze(0) * styles.reshape({n, 1, -1, 1, 1});
    wn = wn * (wn.square().sum({2, 3, 4}) + 1e-8).rsqrt().reshape({n, -1, 1, 1, 1});
    wn = wn.reshape({n * out_ch, in_ch, 3, 3}).to(x.dtype());
    auto xg = x.reshape({1, n * in_ch, x.size(2), x.size(3)});
    profile::Scope scope_c(up == 2 ? "conv_up" : "conv3x3");
    if (up == 2) {
      xg = opt.reference_upsampling
               ? ops::conv3x3_up2_reference(xg, wn, resample_filter, n)
               : ops::conv3x3_up2_folded(xg, ops::fold_up2_weight(wn), n);
    } else {
      xg = ops::conv2d(xg, wn, 1, 1, n);
    }
    x = xg.reshape({n, out_ch, xg.size(2), xg.size(3)});
    if (noise.defined()) x = x.add_(noise);
  } else {
    // Modulate activations, convolve with the shared weights, demodulate the outputs.
    profile::Scope scope_m("modulate");
    const torch::Tensor sums = half ? wgt.square().sum({2, 3}) : weight_square_sums();
    auto dcoefs = (styles.square().matmul(sums.t()) + 1e-8).rsqrt();  // [N, O]
    x = x * styles.to(x.dtype()).reshape({n, -1, 1, 1});
    profile::Scope scope_c(up == 2 ? "conv_up" : "conv3x3");
    if (up == 2) {
      x = opt.reference_upsampling ? ops::conv3x3_up2_reference(x, wgt.to(x.dtype()), resample_filter)
                                   : ops::conv3x3_up2_folded(x, (half ? ops::fold_up2_weight(wgt)
                                                                      : folded_weight()).to(x.dtype()));
    } else {
      x = ops::conv2d(x, wgt.to(x.dtype()), 1, 1);
    }
    profile::Scope scope_d("demod_noise");
    auto d = dcoefs.to(x.dtype()).reshape({n, -1, 1, 1});
    x = noise.defined() ? torch::addcmul(noise.expand_as(x), x, d) : x.mul_(d);
  }
  std::optional<double> clamp;
  if (conv_clamp) clamp = *conv_clamp * gain;
  profile::Scope scope("bias_act");
  return ops::bias_act(x, bias, ops::Activation::Lrelu, std::sqrt(2.0) * gain, clamp);
}

ToRGBLayerImpl::ToRGBLayerImpl(int64_t in_channels, int64_t out_channels, int64_t w_dim,
                               std::optional<double> clamp)
    : conv_clamp(clamp), weight_gain(1.0 / std::sqrt(static_cast<double>(in_channels))) {
  affine = register_module("affine", FullyConnectedLayer(w_dim, in_channels, true, ops::Activation::Linear, 1.0, 1.0));
  weight = register_parameter("weight", torch::randn({out_channels, in_channels, 1, 1}));
  bias = register_parameter("bias", torch::zeros({out_channels}));
}

torch::Tensor ToRGBLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& w, const ForwardOptions& opt) {
  const int64_t n = x.size(0);
  profile::Scope scope("torgb");
  auto styles = affine->forward(w) * weight_gain;  // [N, I]
  torch::Tensor y;
  if (opt.fused_modconv) {
    auto wn = (weight.unsqueeze(0) * styles.reshape({n, 1, -1, 1, 1})).to(x.dtype());
    wn = wn.reshape({n * weight.size(0), weight.size(1), 1, 1});
    y = ops::conv2d(x.reshape({1, -1, x.size(2), x.size(3)}), wn, 1, 0, n);
    y = y.reshape({n, -1, x.size(2), x.size(3)});
  } else {
    y = ops::conv2d(x * styles.to(x.dtype()).reshape({n, -1, 1, 1}), weight.to(x.dtype()));
  }
  return ops::bias_act(y, bias, ops::Activation::Linear, 1.0, conv_clamp);
}

Conv2dLayerImpl::Conv2dLayerImpl(int64_t in_channels, int64_t out_channels, int64_t kernel_size, bool has_bias,
                                 ops::Activation act, int up_factor, int down_factor, std::optional<double> clamp)
    : activation(act),
      up(up_factor),
      down(down_factor),
      padding(kernel_size / 2),
      conv_clamp(clamp),
      weight_gain(1.0 / std::sqrt(static_cast<double>(in_channels * kernel_size * kernel_size))) {
  weight = register_parameter("weight", torch::randn({out_channels, in_channels, kernel_size, kernel_size}));
  if (has_bias) bias = register_parameter("bias", torch::zeros({out_channels}));
  resample_filter = register_buffer("resample_filter", ops::setup_filter());
}

torch::Tensor Conv2dLayerImpl::forward(const torch::Tensor& x, double gain) {
  auto w = weight.to(x.dtype()) * weight_gain;
  const int64_t k = weight.size(2);
  torch::Tensor y;
  if (k == 1 && up == 2) {
    y = ops::upfirdn2d(ops::conv2d(x, w), resample_filter, 2, 1, 2 + padding, 1 + padding, 2 + padding,
                       1 + padding, 4.0);
  } else if (k == 1 && down == 2) {
    y = ops::conv2d(ops::upfirdn2d(x, resample_filter, 1, 2, 1 + padding, 1 + padding, 1 + padding,
                                   1 + padding, 1.0),
                    w);
  } else if (down == 2) {
    // Spec §1.5: FIR with padding p+1 on each side, then a stride-2 convolution.
    y = ops::conv2d(ops::upfirdn2d(x, resample_filter, 1, 1, 1 + padding, 1 + padding, 1 + padding,
                                     1 + padding, 1.0),
                    w, 2);
  } else if (up == 2) {
    y = ops::conv3x3_up2_reference(x, w, resample_filter);
  } else {
    y = ops::conv2d(x, w, 1, padding);
  }
  std::optional<double> clamp;
  if (conv_clamp) clamp = *conv_clamp * gain;
  std::optional<torch::Tensor> b;
  if (bias.defined()) b = bias;
  return ops::bias_act(y, b, activation, ops::default_gain(activation) * gain, clamp);
}

}  // namespace stylescope
