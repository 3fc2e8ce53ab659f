#pragma once
// The StyleGAN2 Discriminator (spec §2): resnet (default), orig and skip, minibatch standard deviation and
// the conditional projection, with the official parameter names ("b32.conv0.weight", "b4.fc.bias",
// "mapping.fc0.weight", ...). Always computed in fp32 (the official force_fp32).
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "core/io/raw_tensor.h"
#include "core/model/discriminator_config.h"
#include "core/model/layers.h"
#include "core/model/mapping.h"

namespace stylescope {

// Spec §2.3: groups are strided (sample i is in group i mod N/G), G = min(group_size, N) (0: G = N).
// Throws InputError when the batch is not divisible by G.
torch::Tensor minibatch_stddev(const torch::Tensor& x, int group_size, int num_channels);

class DiscriminatorBlockImpl : public torch::nn::Module {
 public:
  DiscriminatorBlockImpl(int64_t in_channels, int64_t tmp_channels, int64_t out_channels, int64_t resolution,
                         const DiscriminatorConfig& config);
  // x [N, in, res, res] (undefined for the first block), img [N, img_channels, res, res] or undefined.
  std::pair<torch::Tensor, torch::Tensor> forward(torch::Tensor x, torch::Tensor img);
  // The layers in the official creation order, which Freeze-D counts (spec §2.2).
  std::vector<std::string> layer_names() const;

  Conv2dLayer fromrgb{nullptr}, conv0{nullptr}, conv1{nullptr}, skip{nullptr};
  torch::Tensor resample_filter;
  int64_t in_channels, resolution;
  Architecture architecture;
};
TORCH_MODULE(DiscriminatorBlock);

class DiscriminatorEpilogueImpl : public torch::nn::Module {
 public:
  DiscriminatorEpilogueImpl(int64_t in_channels, int64_t cmap_dim, const DiscriminatorConfig& config);
  torch::Tensor forward(torch::Tensor x, const torch::Tensor& img, const torch::Tensor& cmap);

  Conv2dLayer fromrgb{nullptr}, conv{nullptr};
  FullyConnectedLayer fc{nullptr}, out{nullptr};
  int64_t cmap_dim;
  int mbstd_group_size, mbstd_num_channels;
  Architecture architecture;
};
TORCH_MODULE(DiscriminatorEpilogue);

class DiscriminatorImpl : public torch::nn::Module {
 public:
  // Fresh weights initialized as the official constructors do (N(0,1) weights, zero biases).
  explicit DiscriminatorImpl(const DiscriminatorConfig& config);
  // img [N, img_channels, R, R], c [N, c_dim] (undefined or empty when c_dim is 0) -> logits [N, 1], fp32.
  torch::Tensor forward(const torch::Tensor& img, const torch::Tensor& c);

  DiscriminatorConfig config;
  std::vector<DiscriminatorBlock> blocks;  // b{R}, ..., b8, in forward order
  MappingNetwork mapping{nullptr};         // only when c_dim > 0
  DiscriminatorEpilogue b4{nullptr};
  // Module paths ("b32.fromrgb", ...) of the layers Freeze-D keeps fixed; their tensors do not require grad.
  std::set<std::string> frozen_layers;
};
TORCH_MODULE(Discriminator);

// Strict load from a state dict as stored in a pkl's D or a safetensors file's "D." entries: a missing,
// unexpected or wrong-shaped tensor is an InputError naming the file and the tensor.
Discriminator build_discriminator(const DiscriminatorConfig& config,
                                  const std::map<std::string, RawTensor>& tensors, const std::string& file);

// The parameters the optimizer updates, by official name: all but those of Freeze-D's frozen layers.
std::vector<std::pair<std::string, torch::Tensor>> trainable_parameters(Discriminator& d);

}  // namespace stylescope
