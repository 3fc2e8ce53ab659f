#pragma once
// The official layers (spec §1.7, §1.10-1.12), with the official parameter and buffer names so that a
// state dict from a .pkl or .safetensors maps onto named_parameters()/named_buffers() one to one.
#include <optional>

#include <torch/torch.h>

#include "core/model/ops.h"

namespace stylescope {

enum class NoiseMode { Const, Random, None };
NoiseMode parse_noise_mode(const std::string& name);  // throws InputError
const char* noise_mode_name(NoiseMode mode);

// How a forward pass is computed; none of these change the result beyond fp32 rounding.
struct ForwardOptions {
  NoiseMode noise_mode = NoiseMode::Const;
  // Modulated convolution: per-sample weights with a grouped conv (the official inference path) instead
  // of modulating activations against shared weights. The shared-weight path is cheaper on CPU.
  bool fused_modconv = false;
  // Up-sampling convolutions through the official transposed convolution instead of the sub-pixel form.
  bool reference_upsampling = false;
  bool fp16 = false;  // CUDA only: fp16 for the blocks the official code runs in fp16
};

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
  torch::Tensor folded_weight();          // cached sub-pixel kernels of `weight` (inference only)
  torch::Tensor weight_square_sums();     // cached sum over taps of weight^2, [O, I]
  torch::Tensor folded_, square_sums_;
  const void* folded_source_ = nullptr;
  int64_t folded_version_ = -1;
  const void* square_source_ = nullptr;
  int64_t square_version_ = -1;
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
