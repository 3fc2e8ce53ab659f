#include "core/train/training_phase.h"

#include <algorithm>

namespace stylescope::train {

void run_training_phase(StyleGAN2Loss& loss, Adam& opt, const NamedTensors& params, Phase phase, int interval,
                        const torch::Tensor& real, const torch::Tensor& real_c, const torch::Tensor& gen_z,
                        const torch::Tensor& gen_c, int64_t chunk, ProcessGroup& group,
                        TrainingStats* stats) {
  opt.zero_grad();
  for (auto& [name, p] : params) p.set_requires_grad(true);
  const int64_t n = real.size(0);
  for (int64_t begin = 0; begin < n; begin += chunk) {
    const int64_t end = std::min(begin + chunk, n);
    loss.accumulate_gradients(phase, real.slice(0, begin, end), real_c.slice(0, begin, end),
                              gen_z.slice(0, begin, end), gen_c.slice(0, begin, end), interval, stats);
  }
  for (auto& [name, p] : params) p.set_requires_grad(false);
  std::vector<torch::Tensor> tensors;
  for (auto& [name, p] : params) tensors.push_back(p);
  group.average_gradients(tensors);  // also nan_to_num, in a world of one too
  for (auto& [name, p] : params) p.set_requires_grad(true);
  opt.step();
  for (auto& [name, p] : params) p.set_requires_grad(false);
}

}  // namespace stylescope::train
