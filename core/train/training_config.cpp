#include "core/train/training_config.h"

#include <algorithm>
#include <cmath>

#include "core/io/errors.h"

namespace stylescope::train {

namespace {

// One row of spec §4's table; 'auto' is computed from the resolution and the process count.
struct CfgSpec {
  int ref_gpus;
  double kimg;
  int mb, mbstd;
  double fmaps, lrate, gamma, ema;
  std::optional<double> ramp;
  int map;
};

CfgSpec cfg_spec(const std::string& cfg, int res, int gpus) {
  if (cfg == "auto") {
    CfgSpec s{gpus, 25000, 0, 0, 0, 0, 0, 0, 0.05, 2};
    s.mb = std::max(std::min(gpus * std::min(4096 / res, 32), 64), gpus);
    s.mbstd = std::min(s.mb / gpus, 4);
    s.fmaps = res >= 512 ? 1 : 0.5;
    s.lrate = res >= 1024 ? 0.002 : 0.0025;
    s.gamma = 0.0002 * res * res / s.mb;
    s.ema = s.mb * 10.0 / 32;
    return s;
  }
  if (cfg == "stylegan2") return {8, 25000, 32, 4, 1, 0.002, 10, 10, std::nullopt, 8};
  if (cfg == "paper256") return {8, 25000, 64, 8, 0.5, 0.0025, 1, 20, std::nullopt, 8};
  if (cfg == "paper512") return {8, 25000, 64, 8, 1, 0.0025, 0.5, 20, std::nullopt, 8};
  if (cfg == "paper1024") return {8, 25000, 32, 4, 1, 0.002, 2, 10, std::nullopt, 8};
  if (cfg == "cifar") return {2, 100000, 64, 32, 1, 0.0025, 0.01, 500, 0.05, 2};
  throw InputError("--cfg: unknown configuration '" + cfg +
                   "' (expected auto, stylegan2, paper256, paper512, paper1024 or cifar)");
}

template <typename T>
T positive(const std::optional<T>& value, T fallback, const char* flag) {
  if (!value) return fallback;
  if (!(*value > 0)) throw InputError(std::string(flag) + ": must be positive");
  return *value;
}

}  // namespace

std::vector<std::string> training_configs() {
  return {"auto", "stylegan2", "paper256", "paper512", "paper1024", "cifar"};
}

ResolvedTraining resolve_training(const TrainingOptions& o, int resolution, int channels, int c_dim,
                                  int world_size) {
  const CfgSpec spec = cfg_spec(o.cfg, resolution, std::max(world_size, 1));
  ResolvedTraining r;
  r.cfg = o.cfg;
  r.total_kimg = positive(o.kimg, spec.kimg, "--kimg");
  r.batch = positive(o.batch, spec.mb, "--batch");
  if (r.batch % world_size != 0)
    throw InputError("--batch: " + std::to_string(r.batch) + " is not divisible by the " +
                     std::to_string(world_size) + " processes");
  r.batch_gpu = positive(o.batch_gpu, r.batch / world_size, "--batch-gpu");
  if ((r.batch / world_size) % r.batch_gpu != 0)
    throw InputError("--batch-gpu: must divide the per-process batch " +
                     std::to_string(r.batch / world_size));
  r.mbstd_group = positive(o.mbstd_group, std::min(spec.mbstd, r.batch_gpu), "--mbstd-group");
  if (r.batch_gpu % r.mbstd_group != 0)
    throw InputError("--mbstd-group: " + std::to_string(r.mbstd_group) +
                     " must divide the per-process batch " + std::to_string(r.batch_gpu));
  r.glr = positive(o.glr, spec.lrate, "--glr");
  r.dlr = positive(o.dlr, spec.lrate, "--dlr");
  r.r1_gamma = o.gamma ? *o.gamma : spec.gamma;
  if (r.r1_gamma < 0) throw InputError("--gamma: must not be negative");
  r.ema_kimg = positive(o.ema_kimg, spec.ema, "--ema");  // as train.py: from the cfg, not from --batch
  r.ema_rampup = spec.ramp;
  if (o.cfg == "cifar") r.pl_weight = 0, r.style_mixing_prob = 0;
  if (o.pl_weight) r.pl_weight = *o.pl_weight;
  if (o.style_mixing_prob) r.style_mixing_prob = *o.style_mixing_prob;
  if (r.pl_weight < 0) throw InputError("--pl-weight: must not be negative");
  if (r.style_mixing_prob < 0 || r.style_mixing_prob > 1) throw InputError("--mixing: must be in [0, 1]");
  if (o.ms_weight) r.ms_weight = *o.ms_weight;
  if (r.ms_weight < 0) throw InputError("--ms-weight: must not be negative");
  if (r.ms_weight > 0 && r.batch_gpu < 2)
    throw InputError("--ms-weight: pairs images within a --batch-gpu chunk, which must hold 2 or more");
  if (o.freezed < 0) throw InputError("--freezed: must not be negative");
  r.freeze_layers = o.freezed;
  r.xflip = o.mirror;
  r.kimg_per_tick = positive(std::optional<double>(o.tick), 4.0, "--tick");
  r.snap = positive(std::optional<int>(o.snap), 50, "--snap");
  r.seed = o.seed;

  const int channel_base = o.cbase ? positive(o.cbase, 1, "--cbase") : static_cast<int>(spec.fmaps * 32768);
  const int channel_max = positive(o.cmax, 512, "--cmax");
  GeneratorConfig& g = r.G;
  g.z_dim = 512;
  g.w_dim = 512;
  g.c_dim = c_dim;
  g.img_resolution = resolution;
  g.img_channels = channels;
  g.mapping.num_layers = positive(o.map, spec.map, "--map");
  g.channel_base = channel_base;
  g.channel_max = channel_max;
  g.num_fp16_res = 4;  // as train.py; CPU runs every block in fp32 as the official code does off CUDA
  g.conv_clamp = 256;
  g.architecture = Architecture::Skip;
  g.validate("--cfg " + o.cfg);

  r.D_kwargs = {{"c_dim", c_dim},
                {"img_resolution", resolution},
                {"img_channels", channels},
                {"architecture", o.cfg == "cifar" ? "orig" : "resnet"},
                {"channel_base", channel_base},
                {"channel_max", channel_max},
                {"num_fp16_res", 4},
                {"conv_clamp", 256},
                {"cmap_dim", nullptr},
                {"block_kwargs", {{"freeze_layers", r.freeze_layers}}},
                {"mapping_kwargs", nlohmann::json::object()},
                {"epilogue_kwargs", {{"mbstd_group_size", r.mbstd_group}}}};
  return r;
}

TrainingOptions training_options_from_json(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) throw InputError(where, "training options must be a JSON object");
  TrainingOptions o;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    const nlohmann::json& v = it.value();
    auto fail = [&](const char* expected) { throw InputError(where, "\"" + key + "\" must be " + expected); };
    auto text = [&](std::string& out) {
      v.is_string() ? void(out = v.get<std::string>()) : fail("a string");
    };
    auto number = [&]() { return v.is_number() ? v.get<double>() : (fail("a number"), 0.0); };
    auto integer = [&]() { return v.is_number_integer() ? v.get<int>() : (fail("an integer"), 0); };
    auto flag = [&]() { return v.is_boolean() ? v.get<bool>() : (fail("true or false"), false); };
    if (key == "data")
      text(o.data);
    else if (key == "out")
      text(o.out);
    else if (key == "resume")
      text(o.resume);
    else if (key == "cfg")
      text(o.cfg);
    else if (key == "kimg")
      o.kimg = number();
    else if (key == "batch")
      o.batch = integer();
    else if (key == "batch_gpu")
      o.batch_gpu = integer();
    else if (key == "gamma")
      o.gamma = number();
    else if (key == "glr")
      o.glr = number();
    else if (key == "dlr")
      o.dlr = number();
    else if (key == "ema")
      o.ema_kimg = number();
    else if (key == "pl_weight")
      o.pl_weight = number();
    else if (key == "mixing")
      o.style_mixing_prob = number();
    else if (key == "ms_weight")
      o.ms_weight = number();
    else if (key == "mbstd_group")
      o.mbstd_group = integer();
    else if (key == "cbase")
      o.cbase = integer();
    else if (key == "cmax")
      o.cmax = integer();
    else if (key == "map")
      o.map = integer();
    else if (key == "mirror")
      o.mirror = flag();
    else if (key == "cond")
      o.cond = flag();
    else if (key == "freezed")
      o.freezed = integer();
    else if (key == "tick")
      o.tick = number();
    else if (key == "snap")
      o.snap = integer();
    else if (key == "seed")
      o.seed = static_cast<uint64_t>(integer());
    else if (key == "workers")
      o.workers = integer();
    else
      throw InputError(where, "unknown training option \"" + key + "\"");
  }
  return o;
}

nlohmann::json ResolvedTraining::to_json() const {
  nlohmann::json j;
  j["cfg"] = cfg;
  j["G_kwargs"] = G.to_kwargs();
  j["D_kwargs"] = D_kwargs;
  j["total_kimg"] = total_kimg;
  j["batch_size"] = batch;
  j["batch_gpu"] = batch_gpu;
  j["G_opt_kwargs"] = {{"class_name", "Adam"}, {"lr", glr}, {"betas", {0, 0.99}}, {"eps", 1e-8}};
  j["D_opt_kwargs"] = {{"class_name", "Adam"}, {"lr", dlr}, {"betas", {0, 0.99}}, {"eps", 1e-8}};
  j["loss_kwargs"] = {{"r1_gamma", r1_gamma},
                      {"pl_weight", pl_weight},
                      {"pl_decay", pl_decay},
                      {"pl_batch_shrink", pl_batch_shrink},
                      {"style_mixing_prob", style_mixing_prob}};
  if (ms_weight > 0) j["loss_kwargs"]["ms_weight"] = ms_weight;  // not an official key: only when used
  j["G_reg_interval"] = G_reg_interval;
  j["D_reg_interval"] = D_reg_interval;
  j["ema_kimg"] = ema_kimg;
  j["ema_rampup"] = ema_rampup ? nlohmann::json(*ema_rampup) : nlohmann::json(nullptr);
  j["kimg_per_tick"] = kimg_per_tick;
  j["image_snapshot_ticks"] = snap;
  j["network_snapshot_ticks"] = snap;
  j["random_seed"] = seed;
  j["freeze_layers"] = freeze_layers;
  j["xflip"] = xflip;
  return j;
}

}  // namespace stylescope::train
