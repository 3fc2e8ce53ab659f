#include "core/model/generator.h"

namespace stylescope {

GeneratorImpl::GeneratorImpl(const GeneratorConfig& cfg) : config(cfg) {
  synthesis = register_module("synthesis", SynthesisNetwork(cfg));
  mapping = register_module("mapping", MappingNetwork(cfg));
}

torch::Tensor GeneratorImpl::forward(const torch::Tensor& z, const torch::Tensor& c, double psi,
                                     std::optional<int> cutoff, const ForwardOptions& options) {
  return synthesis->forward(mapping->forward(z, c, psi, cutoff), options);
}

std::vector<std::pair<std::string, torch::Tensor>> state_dict(torch::nn::Module& module) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& item : module.named_parameters(true)) out.emplace_back(item.key(), item.value());
  for (const auto& item : module.named_buffers(true)) out.emplace_back(item.key(), item.value());
  return out;
}

int64_t parameter_count(torch::nn::Module& module) {
  int64_t n = 0;
  for (const auto& p : module.parameters(true)) n += p.numel();
  return n;
}

}  // namespace stylescope
