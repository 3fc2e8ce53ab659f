#pragma once
// The official layers (spec §1.7, §1.10-1.12), with the official parameter and buffer names so that a
// state dict from a .pkl or .safetensors maps onto named_parameters()/named_buffers() one to one.
#include <functional>
#include <optional>
#include <string>

#include <torch/torch.h>

#include "core/model/ops.h"

namespace stylescope {

enum class NoiseMode { Const, Random, None };
NoiseMode parse_noise_mode(const std::string& name);  // throws InputError
const char* noise_mode_name(NoiseMode mode);

// How a forward pass is computed; none of these change the result beyond fp32 rounding.
struct ForwardOptions {
  NoiseMode noise_mode = NoiseMode::Const;
  // Modulated convolution: per-sample weights with a grouped conv (the official inference path) or
  // modulating activations against shared weights. Unset (the default): whichever is cheaper for the
  // batch size (see use_fused_modconv); true/false force one path (tests compare both).
  std::optional<bool> fused_modconv;
  // Up-sampling convolutions through the official transposed convolution instead of the sub-pixel form.
  bool reference_upsampling = false;
  bool fp16 = false;  // CUDA only: fp16 for the blocks the official code runs in fp16
  // The explorer's noise strength: scales every layer's noise input (1 = the model as trained).
  double noise_scale = 1.0;
  // Random noise comes from this generator when set: a renderer's own stream, so that threads rendering at
  // once (the view, the recorder, previews, a fine-tune run) never interleave draws from torch's global
  // generator. Unset: the global generator, as the official code draws it.
  std::optional<torch::Generator> noise_generator;
  // Random noise only: rows [pairs, 2 * pairs) reuse the noise drawn for rows [0, pairs), so that a pair of
  // samples differs only by its latents (the trainer's mode-seeking term compares such pairs). The draws
  // are those of an unpaired pass; 0 pairs nothing.
  int64_t noise_pairs = 0;
  // Called with each synthesis layer's output ("b8.conv0", "b8.torgb", ...) as it is computed, for the
  // explorer's layer view. Empty: nothing is observed.
  std::function<void(const std::string& name, const torch::Tensor& output)> observe;
};

// The modulated-convolution path a forward pass of `batch` samples takes under `options`.
bool use_fused_modconv(const ForwardOptions& options, int64_t batch);

class FullyConnectedLayerImpl : public torch::nn::Module {
 public:
  FullyConnectedLayerImpl(int64_t in_features, int64_t out_features, bool bias, ops::Activation activation,
                          double lr_multiplier, double bias_init);
  torch::Tensor forward(const torch::Tensor& x);

  torch::Tensor weight, bias;  // official names
  ops::Activation activation;
  double weight_gain, bias_gain;
};
TORCH_MODULE(FullyConnectedLayer);

class SynthesisLayerImpl : public torch::nn::Module {
 public:
  SynthesisLayerImpl(int64_t in_channels, int64_t out_channels, int64_t w_dim, int64_t resolution, int up,
                     bool use_noise, std::optional<double> conv_clamp);
  torch::Tensor forward(torch::Tensor x, const torch::Tensor& w, const ForwardOptions& options,
                        double gain = 1.0);

  FullyConnectedLayer affine{nullptr};
  torch::Tensor weight, bias, noise_strength, resample_filter, noise_const;
  int64_t resolution;
  int up;
  bool use_noise;
  std::optional<double> conv_clamp;

 private:
  // Weight-only tensors derived for inference, each built on first use and all dropped when `weight`
  // changes (data pointer, version or device). Under autograd they are recomputed instead.
  struct Derived {
    torch::Tensor square_sums;  // sum over taps of weight^2, [O, I]
    torch::Tensor weight_cl;    // weight in channels-last, the layout oneDNN wants with channels-last x
    torch::Tensor folded;       // fold_up2_weight(weight): the up-sampling path off the CPU fast path
    ops::Up2Phases phases;      // split_up2_weight(weight): the CPU fast path
  };
  Derived& derived();
  torch::Tensor modconv_fast(const torch::Tensor& x, const torch::Tensor& styles, const torch::Tensor& noise,
                             bool fused, double gain);
  torch::Tensor modconv_generic(torch::Tensor x, torch::Tensor styles, const torch::Tensor& noise,
                                const ForwardOptions& options, bool fused, double gain);
  Derived derived_;
  const void* derived_source_ = nullptr;
  int64_t derived_version_ = -1;
  torch::Device derived_device_ = torch::kCPU;
};
TORCH_MODULE(SynthesisLayer);

class ToRGBLayerImpl : public torch::nn::Module {
 public:
  ToRGBLayerImpl(int64_t in_channels, int64_t out_channels, int64_t w_dim, std::optional<double> conv_clamp);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& w, const ForwardOptions& options);

  FullyConnectedLayer affine{nullptr};
  torch::Tensor weight, bias;
  std::optional<double> conv_clamp;
  double weight_gain;
};
TORCH_MODULE(ToRGBLayer);

// Conv2dLayer as the generator's resnet skip uses it (k=1, up=2, no bias) and, later, the discriminator.
class Conv2dLayerImpl : public torch::nn::Module {
 public:
  Conv2dLayerImpl(int64_t in_channels, int64_t out_channels, int64_t kernel_size, bool bias,
                  ops::Activation activation, int up, int down, std::optional<double> conv_clamp);
  torch::Tensor forward(const torch::Tensor& x, double gain = 1.0);

  torch::Tensor weight, bias, resample_filter;
  ops::Activation activation;
  int up, down;
  int64_t padding;
  std::optional<double> conv_clamp;
  double weight_gain;
};
TORCH_MODULE(Conv2dLayer);

}  // namespace stylescope
