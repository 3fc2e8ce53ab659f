#include "core/train/training_session.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <mutex>

#include <ATen/CPUGeneratorImpl.h>

#include "core/io/errors.h"
#include "core/model/profile.h"
#include "core/train/snapshot.h"
#include "core/train/training_phase.h"
#include "core/util/atomic_file.h"

namespace stylescope::train {

namespace fs = std::filesystem;

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
double wall_clock() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void check_run_dir(const std::string& dir, bool allow_existing) {
  if (dir.empty()) throw InputError("--out: a run folder is required");
  std::error_code ec;
  if (!fs::exists(dir, ec)) return;
  if (!fs::is_directory(dir, ec))
    throw InputError(dir, "exists and is not a folder (the run folder must be new or empty)");
  if (!allow_existing && !fs::is_empty(dir, ec))
    throw InputError(dir, "is not empty: a run folder must be new or empty, so that nothing is overwritten");
}

std::string kimg_name(const std::string& dir, const char* stem, int64_t nimg, const char* ext) {
  char name[64];
  std::snprintf(name, sizeof name, "%s%06lld%s", stem, static_cast<long long>(nimg / 1000), ext);
  return (fs::path(dir) / name).string();
}

// Profile kinds of the four phases (exclusive of the forward-pass kinds inside them: mostly backward).
const char* const kPhaseScopes[] = {"train: Gmain", "train: Greg", "train: Dmain", "train: Dreg"};

}  // namespace

TrainingSession::TrainingSession(const TrainingOptions& options, ProcessGroup& group,
                                 SessionSettings settings)
    : options_(options), group_(group), settings_(std::move(settings)) {
  check_run_dir(options.out, settings_.allow_existing_run);
  if (options.data.empty()) throw InputError("--data: a dataset folder or zip is required");

  // The networks decide the resolution and channels when resuming; the data decides them from scratch.
  DatasetOpenOptions data_options;
  data_options.xflip = options.mirror;
  ResolvedTraining probe;
  std::string resume_config_error;
  if (!options.resume.empty()) {
    // Resolve once with the data's shape to know the hyper-parameters; the networks' shape is checked below.
    auto peek = ImageDataset::open(options.data, data_options);
    probe = resolve_training(options, peek->info().resolution, peek->info().channels,
                             options.cond ? peek->info().label_dim : 0, group.world_size());
    nets_ = load_networks(options.resume, probe);
    data_options.resolution = nets_.G_config.img_resolution;
    data_options.channels = nets_.G_config.img_channels;
  }
  dataset_ = ImageDataset::open(options.data, data_options);
  const DatasetInfo& info = dataset_->info();
  const int label_dim = options.cond ? info.label_dim : 0;
  if (!options.resume.empty()) {
    const int c_dim = nets_.G_config.c_dim;
    if (c_dim > 0 && label_dim != c_dim)
      throw InputError(
          options.data,
          "has " + (label_dim ? std::to_string(label_dim) + "-dimensional labels" : "no labels") +
              ", but the model " + options.resume + " is conditional with c_dim " + std::to_string(c_dim));
    resolved_ = resolve_training(options, info.resolution, info.channels, c_dim, group.world_size());
    resolved_.G = nets_.G_config;
    resolved_.D_kwargs = nets_.D_config.to_kwargs();
  } else {
    resolved_ = resolve_training(options, info.resolution, info.channels, label_dim, group.world_size());
    nets_ = fresh_networks(resolved_);
    resolved_.D_kwargs = nets_.D_config.to_kwargs();
  }
  nets_.G->to(settings_.device);
  nets_.G_ema->to(settings_.device);
  nets_.D->to(settings_.device);
  prepare_for_training(nets_);

  // The same initial weights on every process.
  if (!group_.is_local()) {
    std::vector<torch::Tensor> tensors;
    for (auto& [name, t] : state_dict(*nets_.G)) tensors.push_back(t.detach());
    for (auto& [name, t] : state_dict(*nets_.D)) tensors.push_back(t.detach());
    for (auto& [name, t] : state_dict(*nets_.G_ema)) tensors.push_back(t.detach());
    torch::NoGradGuard no_grad;
    group_.broadcast(tensors, 0);
  }

  LossSettings loss_settings;
  loss_settings.r1_gamma = resolved_.r1_gamma;
  loss_settings.style_mixing_prob = resolved_.style_mixing_prob;
  loss_settings.pl_weight = resolved_.pl_weight;
  loss_settings.ms_weight = resolved_.ms_weight;
  loss_settings.pl_decay = resolved_.pl_decay;
  loss_settings.pl_batch_shrink = resolved_.pl_batch_shrink;
  loss_settings.noise_mode = options.train_noise_const ? NoiseMode::Const : NoiseMode::Random;
  random_ = std::make_unique<TorchLossRandom>();
  Discriminator D = nets_.D;
  loss_ = std::make_unique<StyleGAN2Loss>(
      nets_.G, [D](const torch::Tensor& img, const torch::Tensor& c) mutable { return D->forward(img, c); },
      loss_settings, *random_);
  opt_G_ = std::make_unique<Adam>(generator_parameters(nets_.G),
                                  AdamSettings::lazy(resolved_.glr, resolved_.G_reg_interval));
  opt_D_ = std::make_unique<Adam>(trainable_parameters(nets_.D),
                                  AdamSettings::lazy(resolved_.dlr, resolved_.D_reg_interval));

  total_nimg_ = static_cast<int64_t>(std::llround(resolved_.total_kimg * 1000));
  torch::manual_seed(resolved_.seed);
  if (nets_.is_snapshot) {
    const nlohmann::json& s = nets_.training_state;
    try {
      cur_nimg_ = s.at("cur_nimg").get<int64_t>();
      cur_tick_ = s.at("cur_tick").get<int>();
      batch_idx_ = s.at("batch_idx").get<int64_t>();
      data_position_ = s.at("data_position").get<int64_t>();
      elapsed_before_ = s.value("total_sec", 0.0);
      loss_->pl_mean = torch::full({}, s.at("pl_mean").get<double>());
      opt_G_->load_state(nets_.opt_G_state, s.value("opt_G_steps", int64_t{0}), options.resume);
      opt_D_->load_state(nets_.opt_D_state, s.value("opt_D_steps", int64_t{0}), options.resume);
    } catch (const nlohmann::json::exception& e) {
      throw InputError(options.resume, std::string("training_state is incomplete: ") + e.what());
    }
    if (nets_.rng_state.defined()) {
      at::Generator gen = at::detail::getDefaultCPUGenerator();
      std::lock_guard<std::mutex> lock(gen.mutex());
      gen.set_state(nets_.rng_state);
    }
  }
  tick_start_nimg_ = cur_nimg_;
  loader_ = std::make_unique<DataLoader>(dataset_, resolved_.batch, resolved_.seed, data_position_,
                                         options.workers);
  grid_ = setup_sample_grid(*dataset_, resolved_.G.z_dim, resolved_.G.c_dim, resolved_.seed);

  if (settings_.write_files) {
    ensure_directory(options.out);
    write_options();
    if (!nets_.is_snapshot) {
      write_grid_png((fs::path(options.out) / "reals.png").string(), reals_grid(*dataset_, grid_));
      write_grid_png((fs::path(options.out) / "fakes_init.png").string(), render_grid());
    }
  }
  start_time_ = tick_start_time_ = now();
}

TrainingSession::~TrainingSession() = default;

void TrainingSession::write_options() {
  nlohmann::json j = resolved_.to_json();
  j["training_set_kwargs"] = {{"path", options_.data},
                              {"use_labels", resolved_.G.c_dim > 0},
                              {"max_size", dataset_->info().raw_size},
                              {"xflip", options_.mirror},
                              {"resolution", dataset_->info().resolution}};
  j["resume_pkl"] = options_.resume.empty() ? nlohmann::json(nullptr) : nlohmann::json(options_.resume);
  j["num_gpus"] = group_.world_size();
  j["run_dir"] = options_.out;
  const std::string text = j.dump(2) + "\n";
  write_file_atomic((fs::path(options_.out) / "training_options.json").string(), text.data(), text.size());
}

torch::Tensor TrainingSession::sample_labels(int64_t count) {
  if (resolved_.G.c_dim == 0) return torch::zeros({count, 0});
  torch::Tensor idx = torch::randint(dataset_->size(), {count}, torch::kInt64);
  std::vector<torch::Tensor> labels;
  for (int64_t i = 0; i < count; ++i) labels.push_back(dataset_->label(idx[i].item<int64_t>()));
  return torch::stack(labels);
}

void TrainingSession::step() {
  const int64_t B = resolved_.batch;
  const int world = group_.world_size(), rank = group_.rank();
  const int64_t local = B / world;
  Batch batch = [&] {
    profile::Scope scope("train: waiting for data");
    return loader_->next();
  }();
  data_position_ = batch.position_after;
  auto device = settings_.device;
  // Every process draws the whole batch's latents from the same stream and takes every world-th row
  // (strided, as the official sampler shares data between ranks), so that N processes train exactly as one
  // process with the combined batch: minibatch-std groups are strided too and stay the same.
  const torch::Tensor rows = torch::arange(rank, B, world, torch::kInt64);
  auto share = [&](const torch::Tensor& block) { return block.index_select(0, rows); };
  // Moved to the device once for the step's phases (D's main and R1 phases both read them).
  const torch::Tensor real = (share(batch.images).to(torch::kFloat32) / 127.5 - 1).to(device);
  const torch::Tensor real_c =
      (resolved_.G.c_dim > 0 ? share(batch.labels) : torch::zeros({local, 0})).to(device);
  const Phase phases[] = {Phase::Gmain, Phase::Greg, Phase::Dmain, Phase::Dreg};
  const int intervals[] = {1, resolved_.G_reg_interval, 1, resolved_.D_reg_interval};
  torch::Tensor all_z = torch::randn({4 * B, resolved_.G.z_dim});
  torch::Tensor all_c = sample_labels(4 * B);
  step_stats_.clear();
  for (int i = 0; i < 4; ++i) {
    if (batch_idx_ % intervals[i] != 0) continue;
    torch::Tensor z = share(all_z.slice(0, i * B, (i + 1) * B)).to(device);
    torch::Tensor c = share(all_c.slice(0, i * B, (i + 1) * B)).to(device);
    const bool is_G = phases[i] == Phase::Gmain || phases[i] == Phase::Greg;
    profile::Scope scope(kPhaseScopes[i]);
    run_training_phase(*loss_, is_G ? *opt_G_ : *opt_D_,
                       is_G ? generator_parameters(nets_.G) : trainable_parameters(nets_.D), phases[i],
                       intervals[i], real, real_c, z, c, resolved_.batch_gpu, group_, &step_stats_);
  }
  // A non-finite loss must not reach a snapshot: stop here, the last snapshot on disk stays the good one.
  for (auto& [name, m] : step_stats_.moments())
    if (!std::isfinite(m[1]) || !std::isfinite(m[2]))
      throw TrainingDiverged(name + " became " + (std::isnan(m[1]) ? "NaN" : "infinite") + " at kimg " +
                             std::to_string(cur_nimg_ / 1000.0) +
                             "; the run stopped at its last good snapshot" +
                             (last_snapshot_.empty() ? "" : " " + last_snapshot_));
  tick_stats_.merge(step_stats_);
  {
    // w_avg: averaging the processes' updates equals the update from the combined batch.
    if (!group_.is_local()) {
      std::vector<torch::Tensor> w_avg{nets_.G->mapping->w_avg};
      torch::NoGradGuard no_grad;
      group_.all_reduce_sum(w_avg);
      nets_.G->mapping->w_avg.div_(world);
    }
    profile::Scope scope("train: G_ema and w_avg");
    double ema_nimg = resolved_.ema_kimg * 1000;
    if (resolved_.ema_rampup) ema_nimg = std::min(ema_nimg, cur_nimg_ * *resolved_.ema_rampup);
    const double beta = std::pow(0.5, B / std::max(ema_nimg, 1e-8));
    update_ema(nets_.G_ema, nets_.G, beta);
  }
  cur_nimg_ += B;
  ++batch_idx_;
  // As the official loop: tick 0 ends after the first iteration (a stats line, grid and snapshot at once),
  // later ticks every kimg_per_tick, and one at the end.
  if (done() || cur_tick_ == 0 ||
      cur_nimg_ >= tick_start_nimg_ + static_cast<int64_t>(resolved_.kimg_per_tick * 1000))
    end_tick();
}

void TrainingSession::end_tick() {
  profile::Scope scope("train: stats, grids, snapshots");
  const double t0 = now();
  TickReport report;
  report.tick = cur_tick_;
  report.kimg = cur_nimg_ / 1000.0;
  // Statistics over every process (official training_stats sums moments across ranks).
  auto moments = tick_stats_.moments();
  if (!group_.is_local()) {
    std::vector<torch::Tensor> flat;
    for (auto& [name, m] : moments) flat.push_back(torch::tensor(m, torch::kFloat64));
    group_.all_reduce_sum(flat);
    size_t i = 0;
    for (auto& [name, m] : moments) {
      auto t = flat[i++];
      for (size_t k = 0; k < m.size(); ++k) m[k] = t[k].item<double>();
    }
  }
  report.stats = TrainingStats::summarize(moments);
  tick_stats_.clear();
  const double tick_sec = t0 - tick_start_time_;
  const double tick_kimg = (cur_nimg_ - tick_start_nimg_) / 1000.0;
  if (tick_kimg > 0) last_img_per_sec_ = tick_kimg * 1000 / std::max(tick_sec, 1e-9);
  const double total_sec = elapsed_before_ + (t0 - start_time_);
  auto add = [&](const char* name, double value) { report.stats[name] = StatSummary{1, value, 0}; };
  add("Progress/tick", cur_tick_);
  add("Progress/kimg", cur_nimg_ / 1000.0);
  add("Timing/total_sec", total_sec);
  add("Timing/sec_per_tick", tick_sec);
  if (tick_kimg > 0) add("Timing/sec_per_kimg", tick_sec / tick_kimg);
  add("Timing/maintenance_sec", maintenance_sec_);
  add("Timing/total_hours", total_sec / 3600);
  add("Timing/total_days", total_sec / 86400);
  report.line = stats_line(report.stats, wall_clock());

  const bool last = done();
  const bool snapshot_tick = last || cur_tick_ % resolved_.snap == 0;
  if (settings_.write_files) {
    const std::string stats_path = (fs::path(options_.out) / "stats.jsonl").string();
    std::string text;
    if (fs::exists(stats_path)) {
      ByteBuffer old = read_file(stats_path);
      text.assign(reinterpret_cast<const char*>(old.data), old.size);
    }
    text += report.line.dump() + "\n";
    write_file_atomic(stats_path, text.data(), text.size());
    if (snapshot_tick) {
      report.grid_path = kimg_name(options_.out, "fakes", cur_nimg_, ".png");
      write_grid_png(report.grid_path, render_grid());
      report.snapshot_path = save_snapshot();
    }
  }
  if (settings_.on_tick) settings_.on_tick(report);
  ++cur_tick_;
  tick_start_nimg_ = cur_nimg_;
  tick_start_time_ = now();
  maintenance_sec_ = tick_start_time_ - t0;
}

void TrainingSession::finish() {
  if (cur_nimg_ == tick_start_nimg_ && !last_snapshot_.empty()) return;
  total_nimg_ = cur_nimg_;
  end_tick();
}

double TrainingSession::img_per_sec() const {
  const double sec = now() - tick_start_time_;
  const int64_t n = cur_nimg_ - tick_start_nimg_;
  if (n > 0 && sec > 0) return n / sec;
  return last_img_per_sec_;
}

GridImage TrainingSession::render_grid() { return fakes_grid(nets_.G_ema, grid_, 64); }

std::string TrainingSession::save_snapshot() {
  SnapshotState state;
  state.training_state = {{"cur_nimg", cur_nimg_},
                          {"cur_tick", cur_tick_ + 1},
                          {"batch_idx", batch_idx_},
                          {"data_position", data_position_},
                          {"pl_mean", loss_->pl_mean.item<double>()},
                          {"total_sec", elapsed_before_ + (now() - start_time_)},
                          {"opt_G_steps", opt_G_->steps()},
                          {"opt_D_steps", opt_D_->steps()},
                          {"seed", resolved_.seed},
                          {"total_kimg", resolved_.total_kimg}};
  state.training_set_kwargs = {{"path", options_.data},
                               {"use_labels", resolved_.G.c_dim > 0},
                               {"xflip", options_.mirror},
                               {"resolution", dataset_->info().resolution}};
  state.opt_G = opt_G_->state();
  state.opt_D = opt_D_->state();
  {
    at::Generator gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    state.rng_state = gen.get_state();
  }
  const std::string path = kimg_name(options_.out, "network-snapshot-", cur_nimg_, ".safetensors");
  write_snapshot(path, nets_, state);
  last_snapshot_ = path;
  return path;
}

}  // namespace stylescope::train
