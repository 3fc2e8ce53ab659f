#pragma once
// The StyleGAN2 Generator (spec §1.15): mapping + synthesis, official parameter names.
#include <optional>

#include <torch/torch.h>

#include "core/model/config.h"
#include "core/model/mapping.h"
#include "core/model/synthesis.h"

namespace stylescope {

class GeneratorImpl : public torch::nn::Module {
 public:
  explicit GeneratorImpl(const GeneratorConfig& config);
  torch::Tensor forward(const torch::Tensor& z, const torch::Tensor& c, double truncation_psi,
                        std::optional<int> truncation_cutoff, const ForwardOptions& options);

  GeneratorConfig config;
  SynthesisNetwork synthesis{nullptr};
  MappingNetwork mapping{nullptr};
};
TORCH_MODULE(Generator);

// Parameters and buffers by official state-dict name ("synthesis.b4.const", "mapping.w_avg", ...).
std::vector<std::pair<std::string, torch::Tensor>> state_dict(torch::nn::Module& module);
int64_t parameter_count(torch::nn::Module& module);

}  // namespace stylescope
