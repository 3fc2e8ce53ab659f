#pragma once
// The three networks a training run holds (G, D, G_ema), made fresh from a configuration or taken from a
// model file: an official pkl, a StyleScope model, or a StyleScope training snapshot (which also carries the
// optimizer states, counters and RNG state to continue exactly).
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include "core/model/discriminator.h"
#include "core/model/generator.h"
#include "core/train/training_config.h"

namespace stylescope::train {

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

struct TrainingNetworks {
  Generator G{nullptr}, G_ema{nullptr};
  Discriminator D{nullptr};
  GeneratorConfig G_config;
  DiscriminatorConfig D_config;
  nlohmann::json training_set_kwargs;  // from the resumed file, when it has them
  // Only from a StyleScope snapshot: everything needed to continue exactly.
  bool is_snapshot = false;
  nlohmann::json training_state;
  NamedTensors opt_G_state, opt_D_state;  // "<param>.exp_avg" ...
  torch::Tensor rng_state;                // torch's CPU generator state (uint8)
};

// Fresh networks of `r`'s configuration (official initialization; torch's generator seeded with r.seed).
TrainingNetworks fresh_networks(const ResolvedTraining& r);

// Networks from `path`; G from G_ema when the file has no G, a fresh D of `r`'s configuration (at the
// model's resolution, channels and labels) when it has no D. Freeze-D and the minibatch-std group come from
// `r`. Throws InputError naming the file when it cannot be used.
TrainingNetworks load_networks(const std::string& path, const ResolvedTraining& r);

// G and D in training mode with trainable parameters requiring grad; G_ema in eval mode without grads.
void prepare_for_training(TrainingNetworks& nets);

// G_ema <- lerp(G, G_ema, beta) for every parameter; every buffer copied from G (spec §5.2).
void update_ema(Generator& G_ema, Generator& G, double beta);

// A deep copy (parameters and buffers) in eval mode without grads: what the renderer gets.
Generator copy_generator(Generator& source);

// The trainable parameters of G (all of them) and D (all but Freeze-D's), by official name.
NamedTensors generator_parameters(Generator& G);

}  // namespace stylescope::train
