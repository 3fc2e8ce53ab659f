#pragma once
// The random initialisation of new parameters (the official constructors' torch.randn), and a scope in
// which the current thread builds networks without drawing from torch's global generator: a copy whose
// every tensor is overwritten next (train::copy_generator, used by the projector, PPL and the trainer's
// published G_ema) must not shift the random stream another thread, e.g. a training run, draws from.
#include <torch/torch.h>

namespace stylescope {

namespace init_detail {
inline thread_local int skip_depth = 0;
}  // namespace init_detail

class SkipRandomInit {
 public:
  SkipRandomInit() { ++init_detail::skip_depth; }
  ~SkipRandomInit() { --init_detail::skip_depth; }
  SkipRandomInit(const SkipRandomInit&) = delete;
  SkipRandomInit& operator=(const SkipRandomInit&) = delete;
};

// torch::randn(shape); zeros inside a SkipRandomInit scope.
inline torch::Tensor init_randn(torch::IntArrayRef shape) {
  return init_detail::skip_depth > 0 ? torch::zeros(shape) : torch::randn(shape);
}

}  // namespace stylescope
