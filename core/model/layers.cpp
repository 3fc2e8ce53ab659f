#include "core/model/layers.h"

#include <cmath>

#include "core/io/errors.h"
#include "core/model/init_random.h"
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
    case NoiseMode::Const:
      return "const";
    case NoiseMode::Random:
      return "random";
    case NoiseMode::None:
      return "none";
  }
  return "?";
}

bool use_fused_modconv(const ForwardOptions& options, int64_t batch) {
  if (options.fused_modconv) return *options.fused_modconv;
  return batch == 1;
}

FullyConnectedLayerImpl::FullyConnectedLayerImpl(int64_t in_features, int64_t out_features, bool has_bias,
                                                 ops::Activation act, double lr_multiplier, double bias_init)
    : activation(act),
      weight_gain(lr_multiplier / std::sqrt(static_cast<double>(in_features))),
      bias_gain(lr_multiplier) {
  weight = register_parameter("weight", init_randn({out_features, in_features}) / lr_multiplier);
  if (has_bias) bias = register_parameter("bias", torch::full({out_features}, bias_init));
}

namespace {

// x [B, in] times wᵀ for w [out, in]. Debian's libtorch sends CPU matmuls to the reference BLAS (about
// 1 GFLOP/s); for large batches, such as the 100,000 samples `directions --method pca` maps, oneDNN's 1x1
// convolution computes the same product about 15x faster. Small batches (every image the CLI and GUI
// render) keep the plain matmul, whose rounding the parity references pin down.
bool use_onednn_linear(const torch::Tensor& x) {
  return x.dim() == 2 && x.size(0) >= 64 && x.is_cpu() && x.scalar_type() == torch::kFloat32 &&
         !torch::GradMode::is_enabled();
}

torch::Tensor onednn_linear(const torch::Tensor& x, const torch::Tensor& w) {
  const int64_t n = x.size(0), in = x.size(1), out = w.size(0);
  return ops::conv2d(x.contiguous().view({n, in, 1, 1}), w.contiguous().view({out, in, 1, 1})).view({n, out});
}

}  // namespace

torch::Tensor FullyConnectedLayerImpl::forward(const torch::Tensor& x) {
  auto w = weight.to(x.dtype()) * weight_gain;
  const bool onednn = use_onednn_linear(x);
  if (bias.defined()) {
    auto b = bias.to(x.dtype());
    if (bias_gain != 1.0) b = b * bias_gain;
    if (activation == ops::Activation::Linear)
      return onednn ? onednn_linear(x, w).add_(b) : torch::addmm(b.unsqueeze(0), x, w.t());
    return ops::bias_act(onednn ? onednn_linear(x, w) : x.matmul(w.t()), b, activation,
                         ops::default_gain(activation), std::nullopt);
  }
  return ops::bias_act(onednn ? onednn_linear(x, w) : x.matmul(w.t()), std::nullopt, activation,
                       ops::default_gain(activation), std::nullopt);
}

SynthesisLayerImpl::SynthesisLayerImpl(int64_t in_channels, int64_t out_channels, int64_t w_dim, int64_t res,
                                       int up_factor, bool noise, std::optional<double> clamp)
    : resolution(res), up(up_factor), use_noise(noise), conv_clamp(clamp) {
  affine = register_module("affine",
                           FullyConnectedLayer(w_dim, in_channels, true, ops::Activation::Linear, 1.0, 1.0));
  weight = register_parameter("weight", init_randn({out_channels, in_channels, 3, 3}));
  if (use_noise) noise_strength = register_parameter("noise_strength", torch::zeros({}));
  bias = register_parameter("bias", torch::zeros({out_channels}));
  resample_filter = register_buffer("resample_filter", ops::setup_filter());
  if (use_noise) noise_const = register_buffer("noise_const", init_randn({resolution, resolution}));
}

SynthesisLayerImpl::Derived& SynthesisLayerImpl::derived() {
  if (derived_source_ != weight.data_ptr() || derived_version_ != weight._version() ||
      derived_device_ != weight.device()) {
    derived_ = Derived{};
    derived_source_ = weight.data_ptr();
    derived_version_ = weight._version();
    derived_device_ = weight.device();
  }
  return derived_;
}

torch::Tensor SynthesisLayerImpl::forward(torch::Tensor x, const torch::Tensor& w, const ForwardOptions& opt,
                                          double gain) {
  const int64_t n = x.size(0);
  torch::Tensor styles;
  {
    profile::Scope scope("affine");
    styles = affine->forward(w);  // [N, I]
  }
  torch::Tensor noise;
  if (use_noise && opt.noise_mode == NoiseMode::Random) {
    const std::vector<int64_t> size = {n, 1, resolution, resolution};
    noise = opt.noise_generator ? torch::randn(size, *opt.noise_generator, x.options())
                                : torch::randn(size, x.options());
    if (opt.noise_pairs > 0) {
      noise.slice(0, opt.noise_pairs, 2 * opt.noise_pairs).copy_(noise.slice(0, 0, opt.noise_pairs));
    }
    noise = noise * noise_strength.to(x.dtype());
  } else if (use_noise && opt.noise_mode == NoiseMode::Const) {
    noise = (noise_const * noise_strength).to(x.dtype());
  }
  if (noise.defined() && opt.noise_scale != 1.0) noise = noise * opt.noise_scale;
  const bool grad = torch::GradMode::is_enabled() && (weight.requires_grad() || styles.requires_grad());
  if (!grad && !opt.reference_upsampling && kernels::usable(x) &&
      (up == 1 || ops::is_default_filter(resample_filter))) {
    // Per layer: scaling the weights costs O*I*9 per sample, scaling the activations I*H*W.
    const bool fused =
        opt.fused_modconv ? *opt.fused_modconv : n == 1 && weight.size(0) * 9 < x.size(2) * x.size(3);
    return modconv_fast(x, styles, noise, fused, gain);
  }
  return modconv_generic(x, styles, noise, opt, use_fused_modconv(opt, n), gain);
}

torch::Tensor SynthesisLayerImpl::modconv_fast(const torch::Tensor& x, const torch::Tensor& styles,
                                               const torch::Tensor& noise, bool fused, double gain) {
  const auto cl = torch::MemoryFormat::ChannelsLast;
  const int64_t n = x.size(0), in_ch = weight.size(1), out_ch = weight.size(0);
  kernels::Epilogue epi;
  epi.noise = noise;
  epi.bias = bias;
  epi.gain = std::sqrt(2.0) * gain;
  if (conv_clamp) epi.clamp = *conv_clamp * gain;
  Derived& d = derived();
  if (!d.square_sums.defined()) d.square_sums = weight.square().sum({2, 3});
  if (up == 2 && !d.phases.ee.defined()) d.phases = ops::split_up2_weight(weight);
  if (up == 1 && !d.weight_cl.defined()) d.weight_cl = weight.contiguous(cl);
  torch::Tensor xin, wconv;
  ops::Up2Phases phases = d.phases;
  int64_t groups = 1;
  {
    profile::Scope scope("modulate");
    // sum_{i,k} (W s)^2 = sum_i s_i^2 sum_k W^2: the demodulation needs no per-sample weights.
    auto dcoefs = (styles.square().matmul(d.square_sums.t()) + 1e-8).rsqrt();  // [N, O]
    if (fused) {
      // Per-sample weights W[o,i] * s[n,i] * d[n,o] in one pass over the cached channels-last kernels.
      auto scale = (dcoefs.unsqueeze(2) * styles.unsqueeze(1)).reshape({n * out_ch, in_ch, 1, 1});
      auto modulate = [&](const torch::Tensor& k) {
        return (k.unsqueeze(0) * scale.reshape({n, out_ch, in_ch, 1, 1}))
            .reshape({n * out_ch, in_ch, k.size(2), k.size(3)})
            .contiguous(cl);
      };
      if (up == 2) {
        phases = {modulate(d.phases.ee), modulate(d.phases.eo), modulate(d.phases.oe), modulate(d.phases.oo)};
      } else {
        wconv = modulate(d.weight_cl);
      }
      xin = x.contiguous(cl);
      if (n > 1) xin = xin.reshape({1, n * in_ch, x.size(2), x.size(3)}).contiguous(cl);
      groups = n;
    } else {
      epi.demod = dcoefs;
      xin = (x * styles.reshape({n, -1, 1, 1})).contiguous(cl);
      wconv = d.weight_cl;
    }
  }
  // A grouped batch is [1, N*O, H, W]: per-sample noise is applied after reshaping back to [N, O, H, W].
  const kernels::Epilogue* inner = groups == 1 ? &epi : nullptr;
  torch::Tensor y;
  if (up == 2) {
    profile::Scope scope("conv_up");
    y = ops::conv3x3_up2_phases(xin, phases, groups, inner);
  } else {
    {
      profile::Scope scope("conv3x3");
      y = ops::conv2d(xin, wconv, 1, 1, groups).contiguous(cl);
    }
    profile::Scope scope("epilogue");
    if (inner) kernels::apply_epilogue_(y, *inner);
  }
  if (!inner) {
    profile::Scope scope("epilogue");
    y = y.reshape({n, out_ch, y.size(2), y.size(3)}).contiguous(cl);
    kernels::apply_epilogue_(y, epi);
  }
  return y;
}

// The ATen path: autograd, CUDA, fp16, and the official transposed convolution.
torch::Tensor SynthesisLayerImpl::modconv_generic(torch::Tensor x, torch::Tensor styles,
                                                  const torch::Tensor& noise, const ForwardOptions& opt,
                                                  bool fused, double gain) {
  const int64_t n = x.size(0), in_ch = weight.size(1), out_ch = weight.size(0);
  const bool half = x.scalar_type() == torch::kHalf;
  const bool grad = torch::GradMode::is_enabled() && weight.requires_grad();
  torch::Tensor wgt = weight;
  if (half) {
    // The official fp16 pre-normalization (spec §1.6 step 1); it cancels under demodulation.
    wgt = weight * (1.0 / std::sqrt(static_cast<double>(in_ch * 9))) / weight.abs().amax({1, 2, 3}, true);
    styles = styles / styles.abs().amax({1}, true);
  }
  if (fused) {
    // Per-sample weights, demodulated, one grouped convolution.
    profile::Scope scope_m("modulate");
    auto wn = wgt.unsqueeze(0) * styles.reshape({n, 1, -1, 1, 1});
    wn = wn * (wn.square().sum({2, 3, 4}) + 1e-8).rsqrt().reshape({n, -1, 1, 1, 1});
    wn = wn.reshape({n * out_ch, in_ch, 3, 3});
    auto xg = x.reshape({1, n * in_ch, x.size(2), x.size(3)});
    profile::Scope scope_c(up == 2 ? "conv_up" : "conv3x3");
    // The FIR is folded into the fp32 weights before the cast to x's dtype (fp16: as the shared-weight path).
    if (up == 2) {
      xg = opt.reference_upsampling ? ops::conv3x3_up2_reference(xg, wn.to(x.dtype()), resample_filter, n)
                                    : ops::conv3x3_up2_folded(xg, ops::fold_up2_weight(wn).to(x.dtype()), n);
    } else {
      xg = ops::conv2d(xg, wn.to(x.dtype()), 1, 1, n);
    }
    x = xg.reshape({n, out_ch, xg.size(2), xg.size(3)});
    if (noise.defined()) x = x.add_(noise);
  } else {
    // Modulate activations, convolve with the shared weights, demodulate the outputs.
    profile::Scope scope_m("modulate");
    torch::Tensor sums;
    if (half || grad) {
      sums = wgt.square().sum({2, 3});
    } else {
      Derived& d = derived();
      if (!d.square_sums.defined()) d.square_sums = weight.square().sum({2, 3});
      sums = d.square_sums;
    }
    auto dcoefs = (styles.square().matmul(sums.t()) + 1e-8).rsqrt();  // [N, O]
    x = x * styles.to(x.dtype()).reshape({n, -1, 1, 1});
    profile::Scope scope_c(up == 2 ? "conv_up" : "conv3x3");
    if (up == 2 && opt.reference_upsampling) {
      x = ops::conv3x3_up2_reference(x, wgt.to(x.dtype()), resample_filter);
    } else if (up == 2) {
      torch::Tensor folded;
      if (half || grad) {
        folded = ops::fold_up2_weight(wgt);
      } else {
        Derived& d = derived();
        if (!d.folded.defined()) d.folded = ops::fold_up2_weight(weight);
        folded = d.folded;
      }
      x = ops::conv3x3_up2_folded(x, folded.to(x.dtype()));
    } else {
      x = ops::conv2d(x, wgt.to(x.dtype()), 1, 1);
    }
    profile::Scope scope_d("epilogue");
    auto d = dcoefs.to(x.dtype()).reshape({n, -1, 1, 1});
    x = noise.defined() ? torch::addcmul(noise.expand_as(x), x, d) : x.mul_(d);
  }
  std::optional<double> clamp;
  if (conv_clamp) clamp = *conv_clamp * gain;
  profile::Scope scope("epilogue");
  return ops::bias_act(x, bias, ops::Activation::Lrelu, std::sqrt(2.0) * gain, clamp);
}

ToRGBLayerImpl::ToRGBLayerImpl(int64_t in_channels, int64_t out_channels, int64_t w_dim,
                               std::optional<double> clamp)
    : conv_clamp(clamp), weight_gain(1.0 / std::sqrt(static_cast<double>(in_channels))) {
  affine = register_module("affine",
                           FullyConnectedLayer(w_dim, in_channels, true, ops::Activation::Linear, 1.0, 1.0));
  weight = register_parameter("weight", init_randn({out_channels, in_channels, 1, 1}));
  bias = register_parameter("bias", torch::zeros({out_channels}));
}

torch::Tensor ToRGBLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& w,
                                      const ForwardOptions& opt) {
  const int64_t n = x.size(0), out_ch = weight.size(0);
  profile::Scope scope("torgb");
  auto styles = affine->forward(w) * weight_gain;  // [N, I]
  torch::Tensor y;
  if (use_fused_modconv(opt, n)) {
    // With 3 output channels the per-sample weights are tiny; scaling x instead would cost a full pass.
    auto wn = (weight.unsqueeze(0) * styles.reshape({n, 1, -1, 1, 1})).to(x.dtype());
    wn = wn.reshape({n * out_ch, weight.size(1), 1, 1});
    auto xg = n == 1 ? x : x.reshape({1, -1, x.size(2), x.size(3)});
    y = ops::conv2d(xg, wn, 1, 0, n);
    y = y.reshape({n, out_ch, x.size(2), x.size(3)});
  } else {
    y = ops::conv2d(x * styles.to(x.dtype()).reshape({n, -1, 1, 1}), weight.to(x.dtype()));
  }
  // The image path stays NCHW: 3 channels, and the official layout for callers.
  return ops::bias_act(y.contiguous(), bias, ops::Activation::Linear, 1.0, conv_clamp);
}

Conv2dLayerImpl::Conv2dLayerImpl(int64_t in_channels, int64_t out_channels, int64_t kernel_size,
                                 bool has_bias, ops::Activation act, int up_factor, int down_factor,
                                 std::optional<double> clamp)
    : activation(act),
      up(up_factor),
      down(down_factor),
      padding(kernel_size / 2),
      conv_clamp(clamp),
      weight_gain(1.0 / std::sqrt(static_cast<double>(in_channels * kernel_size * kernel_size))) {
  weight = register_parameter("weight", init_randn({out_channels, in_channels, kernel_size, kernel_size}));
  if (has_bias) bias = register_parameter("bias", torch::zeros({out_channels}));
  resample_filter = register_buffer("resample_filter", ops::setup_filter());
}

torch::Tensor Conv2dLayerImpl::forward(const torch::Tensor& x, double gain) {
  // Scaled in fp32, then cast (official: w = weight * weight_gain; w.to(x.dtype)); fp16 x: one rounding.
  auto w = (weight * weight_gain).to(x.dtype());
  const int64_t k = weight.size(2);
  torch::Tensor y;
  if (k == 1 && up == 2) {
    y = ops::upfirdn2d(ops::conv2d(x, w), resample_filter, 2, 1, 2 + padding, 1 + padding, 2 + padding,
                       1 + padding, 4.0);
  } else if (k == 1 && down == 2) {
    y = ops::conv2d(
        ops::upfirdn2d(x, resample_filter, 1, 2, 1 + padding, 1 + padding, 1 + padding, 1 + padding, 1.0), w);
  } else if (down == 2) {
    // Spec §1.5: FIR with padding p+1 on each side, then a stride-2 convolution.
    y = ops::conv2d(
        ops::upfirdn2d(x, resample_filter, 1, 1, 1 + padding, 1 + padding, 1 + padding, 1 + padding, 1.0), w,
        2);
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
