#pragma once
// Architecture of a StyleGAN2 generator, as the official constructor kwargs describe it (spec §1.9-1.15).
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace stylescope {

enum class Architecture { Orig, Skip, Resnet };
const char* architecture_name(Architecture a);
Architecture parse_architecture(const std::string& name);  // throws InputError

struct MappingConfig {
  int num_layers = 8;
  int embed_features = -1;  // -1: w_dim (official None); forced 0 when c_dim == 0
  int layer_features = -1;  // -1: w_dim
  std::string activation = "lrelu";
  double lr_multiplier = 0.01;
  std::optional<double> w_avg_beta = 0.995;
};

struct GeneratorConfig {
  int z_dim = 512;
  int c_dim = 0;
  int w_dim = 512;
  int img_resolution = 1024;
  int img_channels = 3;
  MappingConfig mapping;
  int channel_base = 32768;
  int channel_max = 512;
  int num_fp16_res = 0;
  std::optional<double> conv_clamp;
  Architecture architecture = Architecture::Skip;
  std::vector<double> resample_filter = {1, 3, 3, 1};
  bool use_noise = true;
  // True when the kwargs came from the stylegan3 repo's networks_stylegan2 (flattened synthesis kwargs).
  bool stylegan3_layout = false;

  int resolution_log2() const;
  std::vector<int> block_resolutions() const;  // 4, 8, ..., R
  int channels(int res) const;                 // min(channel_base / res, channel_max)
  int num_ws() const;                          // 2*log2(R) - 2
  int embed_features() const;
  int layer_features() const;
  int fp16_resolution() const;
  // Throws InputError when a value is outside what the official code can build.
  void validate(const std::string& file_for_errors) const;

  // Official Generator constructor kwargs (stylegan2-ada layout: nested mapping_kwargs/synthesis_kwargs).
  nlohmann::json to_kwargs() const;
  // Accepts both the stylegan2-ada layout and the stylegan3 repo's flattened one.
  static GeneratorConfig from_kwargs(const nlohmann::json& kwargs, const std::string& file_for_errors);
  // The official train.py configurations: stylegan2 (config F at 1024), paper256, paper512, paper1024, cifar.
  static GeneratorConfig named(const std::string& name);
  static std::vector<std::string> named_configs();
};

}  // namespace stylescope
