#pragma once
// Training snapshots in StyleScope's safetensors format (DESIGN.md, Files): G.*, D.*, G_ema.* under their
// official names, optimizer state as opt_G.<param>.exp_avg / .exp_avg_sq / .step, torch's generator state
// as training.rng_state, and __metadata__ with format, G_kwargs, D_kwargs, training_set_kwargs and
// training_state. Every command accepts the file as --model; `train --resume` continues it exactly.
#include <string>

#include <nlohmann/json.hpp>

#include "core/train/training_networks.h"

namespace stylescope::train {

struct SnapshotState {
  nlohmann::json training_state;  // counters, pl_mean, data position ...
  nlohmann::json training_set_kwargs;
  NamedTensors opt_G, opt_D;
  torch::Tensor rng_state;  // uint8
};

// Atomic: a killed process leaves the previous file (or none), never half of one.
void write_snapshot(const std::string& path, TrainingNetworks& nets, const SnapshotState& state);

}  // namespace stylescope::train
