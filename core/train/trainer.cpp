#include "core/train/trainer.h"

#include <chrono>
#include <cmath>
#include <limits>

#include "core/train/distributed.h"

namespace stylescope::train {

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

const char* trainer_state_name(TrainerState state) {
  switch (state) {
    case TrainerState::Idle:
      return "idle";
    case TrainerState::Starting:
      return "starting";
    case TrainerState::Running:
      return "running";
    case TrainerState::Paused:
      return "paused";
    case TrainerState::Stopping:
      return "stopping";
    case TrainerState::Finished:
      return "finished";
    case TrainerState::Failed:
      return "failed";
  }
  return "?";
}

Trainer::~Trainer() {
  stop();
  wait();
}

bool Trainer::start(const TrainingOptions& options, torch::Device device) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (status_.state == TrainerState::Starting || status_.state == TrainerState::Running ||
      status_.state == TrainerState::Paused || status_.state == TrainerState::Stopping)
    return false;
  if (thread_.joinable()) thread_.join();
  status_ = TrainerStatus();
  status_.state = TrainerState::Starting;
  status_.run_dir = options.out;
  history_ = TrainerHistory();
  pause_requested_ = stop_requested_ = false;
  thread_ = std::thread(&Trainer::run, this, options, device);
  return true;
}

void Trainer::pause() {
  std::lock_guard<std::mutex> lock(mutex_);
  pause_requested_ = true;
}

void Trainer::resume() {
  std::lock_guard<std::mutex> lock(mutex_);
  pause_requested_ = false;
  cv_.notify_all();
}

void Trainer::stop() {
  std::lock_guard<std::mutex> lock(mutex_);
  stop_requested_ = true;
  cv_.notify_all();
}

void Trainer::wait() {
  if (thread_.joinable()) thread_.join();
}

TrainerStatus Trainer::status() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return status_;
}

TrainerHistory Trainer::history() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return history_;
}

std::shared_ptr<Generator> Trainer::latest_generator(uint64_t* version) const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (version) *version = status_.model_version;
  return generator_;
}

GridImage Trainer::latest_preview() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return preview_;
}

void Trainer::set_state(TrainerState state, const std::string& message) {
  std::lock_guard<std::mutex> lock(mutex_);
  status_.state = state;
  if (!message.empty()) status_.message = message;
}

void Trainer::publish(TrainingSession& session, const SampleGrid& preview) {
  auto copy = std::make_shared<Generator>(copy_generator(session.networks().G_ema));
  GridImage grid = fakes_grid(*copy, preview, preview_cells);
  std::lock_guard<std::mutex> lock(mutex_);
  generator_ = copy;
  preview_ = std::move(grid);
  ++status_.model_version;
}

void Trainer::run(TrainingOptions options, torch::Device device) {
  try {
    ProcessGroup group(LaunchEnvironment{}, device, nullptr);  // the GUI trains in one process
    SessionSettings settings;
    settings.device = device;
    settings.on_tick = [this](const TickReport& r) {
      std::lock_guard<std::mutex> lock(mutex_);
      const size_t n = history_.kimg.size();
      history_.kimg.push_back(r.kimg);
      for (auto& [name, s] : r.stats) {
        auto& series = history_.series[name];
        series.resize(n, std::numeric_limits<double>::quiet_NaN());
        series.push_back(s.mean);
      }
      for (auto& [name, series] : history_.series)
        series.resize(n + 1, std::numeric_limits<double>::quiet_NaN());
      if (!r.snapshot_path.empty()) status_.last_snapshot = r.snapshot_path;
    };
    auto session = std::make_unique<TrainingSession>(options, group, settings);
    const SampleGrid preview =
        setup_sample_grid(session->dataset(), session->resolved().G.z_dim, session->resolved().G.c_dim,
                          options.seed + 1, preview_cells);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      status_.data = session->data_info();
      status_.total_nimg = session->total_nimg();
      status_.cur_nimg = session->cur_nimg();
    }
    publish(*session, preview);
    double last_publish = now();
    set_state(TrainerState::Running);
    while (!session->done()) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        if (stop_requested_) break;
        if (pause_requested_) {
          status_.state = TrainerState::Paused;
          cv_.wait(lock, [this] { return !pause_requested_ || stop_requested_; });
          if (stop_requested_) break;
          status_.state = TrainerState::Running;
        }
      }
      try {
        session->step();
      } catch (const TrainingDiverged& e) {
        const std::string snapshot = session->last_snapshot();
        session.reset();
        if (snapshot.empty()) throw;
        TrainingOptions rollback = options;
        rollback.resume = snapshot;
        SessionSettings again = settings;
        again.allow_existing_run = true;
        session = std::make_unique<TrainingSession>(rollback, group, again);
        publish(*session, preview);
        std::lock_guard<std::mutex> lock(mutex_);
        pause_requested_ = true;
        status_.message = std::string(e.what()) + "; rolled back, paused";
        status_.cur_nimg = session->cur_nimg();
        continue;
      }
      {
        std::lock_guard<std::mutex> lock(mutex_);
        status_.cur_nimg = session->cur_nimg();
        status_.tick = session->cur_tick();
        status_.img_per_sec = session->img_per_sec();
        status_.eta_sec =
            status_.img_per_sec > 0 ? (session->total_nimg() - session->cur_nimg()) / status_.img_per_sec : 0;
      }
      if (now() - last_publish >= publish_interval_s) {
        publish(*session, preview);
        last_publish = now();
      }
    }
    set_state(TrainerState::Stopping);
    session->finish();
    publish(*session, preview);
    std::lock_guard<std::mutex> lock(mutex_);
    status_.last_snapshot = session->last_snapshot();
    status_.cur_nimg = session->cur_nimg();
    status_.state = TrainerState::Finished;
  } catch (const std::exception& e) {
    set_state(TrainerState::Failed, e.what());
  }
}

}  // namespace stylescope::train
