#pragma once
// Architecture of a StyleGAN2 discriminator, as the official constructor kwargs describe it (spec §2.1).
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/model/config.h"

namespace stylescope {

struct DiscriminatorConfig {
  int c_dim = 0, img_resolution = 0, img_channels = 3;
  Architecture architecture = Architecture::Resnet;
  int channel_base = 32768, channel_max = 512, num_fp16_res = 0;
  std::optional<double> conv_clamp;
  std::optional<int> cmap_dim;  // unset: channels(4) (official None); always 0 when c_dim == 0

  // block_kwargs
  std::string block_activation = "lrelu";
  int freeze_layers = 0;  // Freeze-D: layers with a global index below this do not train (spec §2.2)
  bool fp16_channels_last = false;  // a memory-layout hint of the official code; no effect on results

  // epilogue_kwargs
  int mbstd_group_size = 4;  // 0: official None, the whole minibatch is one group
  int mbstd_num_channels = 1;
  std::string epilogue_activation = "lrelu";

  // mapping_kwargs (the label mapping of conditional models; its w_dim is the cmap_dim)
  int mapping_layers = 8;
  std::optional<int> mapping_embed_features, mapping_layer_features;  // unset: cmap_dim
  std::string mapping_activation = "lrelu";
  double mapping_lr_multiplier = 0.01;

  std::vector<int> block_resolutions() const;  // R, R/2, ..., 8
  int channels(int res) const;                 // min(channel_base / res, channel_max)
  int effective_cmap_dim() const;
  int fp16_resolution() const;  // blocks at or above it run in fp16 in the official code on CUDA

  // Throws InputError when a value is outside what the official code can build.
  void validate(const std::string& file_for_errors) const;
  // Official Discriminator constructor kwargs, every value explicit (nested block/mapping/epilogue_kwargs).
  nlohmann::json to_kwargs() const;
  // The layout is the same in stylegan2-ada-pytorch and the stylegan3 repo; only the defaults of
  // num_fp16_res and conv_clamp differ, and load_model writes those into a stylegan3 pickle's D kwargs.
  static DiscriminatorConfig from_kwargs(const nlohmann::json& kwargs, const std::string& file_for_errors);
};

}  // namespace stylescope
