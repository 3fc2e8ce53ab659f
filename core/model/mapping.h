#pragma once
// MappingNetwork (spec §1.9): z (and class c) -> w, broadcast to num_ws, truncation.
#include <optional>

#include <torch/torch.h>

#include "core/model/config.h"
#include "core/model/layers.h"

namespace stylescope {

class MappingNetworkImpl : public torch::nn::Module {
 public:
  MappingNetworkImpl(const GeneratorConfig& config);
  // The general official form; num_ws 0 is the official None: forward returns [N, w_dim] without
  // broadcasting, and there is no w_avg (the discriminator's label mapping: z_dim 0, w_avg_beta None).
  MappingNetworkImpl(int64_t z_dim, int64_t c_dim, int64_t w_dim, int64_t num_ws,
                     const MappingConfig& mapping);
  // z [N, z_dim] (any float dtype; rounded to fp32 as the official code does), c [N, c_dim] or undefined.
  // Returns ws [N, num_ws, w_dim] ([N, w_dim] when num_ws is 0). Truncation: lerp(w_avg, w, psi) on layers
  // [0, cutoff).
  torch::Tensor forward(const torch::Tensor& z, const torch::Tensor& c, double truncation_psi = 1.0,
                        std::optional<int> truncation_cutoff = std::nullopt);

  FullyConnectedLayer embed{nullptr};
  std::vector<FullyConnectedLayer> fc;
  torch::Tensor w_avg;
  int64_t z_dim, c_dim, w_dim, num_ws;
  std::optional<double> w_avg_beta;
};
TORCH_MODULE(MappingNetwork);

// Truncation applied to existing ws as the official mapping does it (torch lerp on layers < cutoff).
torch::Tensor truncate_ws(const torch::Tensor& ws, const torch::Tensor& w_avg, double psi,
                          std::optional<int> cutoff);

}  // namespace stylescope
