#pragma once
// Loading and saving models: official .pkl (through the safe pickle reader) and StyleScope .safetensors
// (DESIGN.md, Files). One loader per format behind one function.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/io/raw_tensor.h"
#include "core/model/generator.h"

namespace stylescope {

struct LoadedModel {
  std::string path;
  std::string format;             // "pkl" or "safetensors"
  std::string generator_source;   // "G_ema" or "G": which network the generator was taken from
  std::vector<std::string> networks;  // networks the file holds, e.g. {"G", "D", "G_ema"}
  GeneratorConfig config;
  Generator G{nullptr};           // in eval mode, fp32, on the requested device
  nlohmann::json d_kwargs;        // the discriminator's constructor kwargs, null when there is no D
  std::map<std::string, RawTensor> d_tensors;  // D's state dict as stored (kept for convert / training)
  nlohmann::json training_set_kwargs;          // null when absent
  nlohmann::json info;            // extra facts for `info` (source layout, class names ...)
};

// Throws InputError / UnsupportedError with a one-line message naming the file.
LoadedModel load_model(const std::string& path, torch::Device device = torch::kCPU);

// Builds a generator from a state dict of raw tensors: every tensor the architecture expects must be
// present with the right shape and nothing else may be there (strict, as load_state_dict).
Generator build_generator(const GeneratorConfig& config, const std::map<std::string, RawTensor>& tensors,
                          const std::string& file, const std::string& network_name);

// A generator with the official random initialization (for `bench --config`).
Generator random_generator(const GeneratorConfig& config, uint64_t seed = 0);

// Writes G_ema (and D when the model has one) in StyleScope's safetensors format, atomically.
void save_model_safetensors(const std::string& path, const LoadedModel& model);

torch::Tensor to_torch(const RawTensor& raw);

}  // namespace stylescope
