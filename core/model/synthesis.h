#pragma once
// SynthesisBlock and SynthesisNetwork (spec §1.13-1.14).
#include <torch/torch.h>

#include "core/model/config.h"
#include "core/model/layers.h"

namespace stylescope {

class SynthesisBlockImpl : public torch::nn::Module {
 public:
  SynthesisBlockImpl(int64_t in_channels, int64_t out_channels, const GeneratorConfig& config, int64_t resolution,
                     bool is_last, bool use_fp16);
  // ws: [N, num_conv + num_torgb, w_dim]. Returns (x, img).
  std::pair<torch::Tensor, torch::Tensor> forward(torch::Tensor x, torch::Tensor img, const torch::Tensor& ws,
                                                  const ForwardOptions& options);

  torch::Tensor const_, resample_filter;
  SynthesisLayer conv0{nullptr}, conv1{nullptr};
  ToRGBLayer torgb{nullptr};
  Conv2dLayer skip{nullptr};
  int64_t in_channels, resolution;
  Architecture architecture;
  bool is_last, use_fp16;
  int num_conv = 0, num_torgb = 0;
};
TORCH_MODULE(SynthesisBlock);

class SynthesisNetworkImpl : public torch::nn::Module {
 public:
  explicit SynthesisNetworkImpl(const GeneratorConfig& config);
  // ws [N, num_ws, w_dim] -> img [N, img_channels, R, R] float32 (not clamped).
  torch::Tensor forward(const torch::Tensor& ws, const ForwardOptions& options);

  std::vector<SynthesisBlock> blocks;  // registered as b4, b8, ...
  int64_t num_ws, w_dim;
};
TORCH_MODULE(SynthesisNetwork);

}  // namespace stylescope
