#pragma once
// The official train.py configurations (spec §4) and the options a training run is started with, resolved
// into network kwargs and loss/optimizer hyper-parameters.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/model/config.h"

namespace stylescope::train {

// What the person asked for (the `train` flags / the fine-tune panel). Unset values come from --cfg.
struct TrainingOptions {
  std::string data;    // folder or dataset zip
  std::string out;     // run folder (new or empty)
  std::string resume;  // model to start from (.pkl, .safetensors, snapshot); empty: from scratch
  std::string cfg = "auto";
  std::optional<int> cbase, cmax, map;  // network size overrides, as stylegan3's train.py
  std::optional<double> kimg;           // total length in thousands of images (fractional allowed)
  std::optional<int> batch;
  std::optional<int> batch_gpu;  // per-process chunk (gradient accumulation); default: the whole batch
  std::optional<double> gamma, glr, dlr;
  std::optional<int> mbstd_group;
  bool mirror = false;
  bool cond = true;  // use dataset labels when the data has them
  int freezed = 0;
  double tick = 4;  // kimg per tick
  int snap = 50;    // ticks between snapshots (and sample grids)
  uint64_t seed = 0;
  std::optional<double> ema_kimg;
  std::optional<double> pl_weight, style_mixing_prob;
  std::optional<double> ms_weight;  // mode-seeking regularization (not official; 0: off)
  int workers = 2;
  // Synthesis noise 'const' instead of 'random' while training: only for equivalence tests, where the
  // per-layer noise of N processes cannot equal that of one process with the combined batch.
  bool train_noise_const = false;
};

// Everything the trainer needs, with every default filled in.
struct ResolvedTraining {
  std::string cfg;
  GeneratorConfig G;
  nlohmann::json D_kwargs;  // the official Discriminator constructor kwargs
  double total_kimg = 0;
  int batch = 0, batch_gpu = 0, mbstd_group = 0;
  double glr = 0, dlr = 0, r1_gamma = 0;
  double ema_kimg = 0;
  std::optional<double> ema_rampup;
  double pl_weight = 2, pl_decay = 0.01, style_mixing_prob = 0.9;
  double ms_weight = 0;
  int pl_batch_shrink = 2, G_reg_interval = 4, D_reg_interval = 16;
  int freeze_layers = 0;
  bool xflip = false;
  double kimg_per_tick = 4;
  int snap = 50;
  uint64_t seed = 0;

  nlohmann::json to_json() const;  // training_options.json
};

std::vector<std::string> training_configs();

// TrainingOptions as JSON with the CLI's flag names ("data", "out", "resume", "cfg", "kimg", "batch",
// "gamma", "glr", "dlr", "mirror", "freezed", "tick", "snap", "seed", "cbase", "cmax", "map", ...): the GUI's
// scripted "train" step. Unknown keys and wrong types are InputErrors naming `where` and the key.
TrainingOptions training_options_from_json(
    const nlohmann::json& j,
    const std::string& where);  // auto, stylegan2, paper256, paper512, paper1024, cifar

// Fills in the hyper-parameters of `options.cfg` for data of `resolution`, `channels` and `c_dim` trained
// by `world_size` processes. Networks are fresh ones of that configuration (a resumed model replaces them
// and keeps only the hyper-parameters). Throws InputError for an unknown cfg or invalid values.
ResolvedTraining resolve_training(const TrainingOptions& options, int resolution, int channels, int c_dim,
                                  int world_size);

}  // namespace stylescope::train
