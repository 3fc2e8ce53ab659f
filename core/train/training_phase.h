#pragma once
// One phase of the official training iteration (training_loop.py): zero the optimizer's gradients, let only
// the phase's network build a graph, accumulate the loss over batch chunks, average the gradients over the
// processes (cleaning NaN/Inf as the official loop), and step the optimizer.
#include <cstdint>

#include <torch/torch.h>

#include "core/train/adam.h"
#include "core/train/distributed.h"
#include "core/train/loss.h"
#include "core/train/training_networks.h"

namespace stylescope::train {

void run_training_phase(StyleGAN2Loss& loss, Adam& opt, const NamedTensors& params, Phase phase, int interval,
                        const torch::Tensor& real, const torch::Tensor& real_c, const torch::Tensor& gen_z,
                        const torch::Tensor& gen_c, int64_t chunk, ProcessGroup& group, TrainingStats* stats);

}  // namespace stylescope::train
