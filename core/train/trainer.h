#pragma once
// A TrainingSession on its own thread, for the GUI: start, pause, resume, stop; it publishes statistics
// (per-tick history for the plots, img/s, ETA) and G_ema copies that the explorer's renderer picks up.
// A NaN/Inf loss rolls back to the last good snapshot and pauses there with a message.
#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/model/generator.h"
#include "core/train/sample_grid.h"
#include "core/train/training_config.h"
#include "core/train/training_session.h"

namespace stylescope::train {

enum class TrainerState { Idle, Starting, Running, Paused, Stopping, Finished, Failed };
const char* trainer_state_name(TrainerState state);

struct TrainerStatus {
  TrainerState state = TrainerState::Idle;
  int64_t cur_nimg = 0, total_nimg = 0;
  int tick = 0;
  double img_per_sec = 0, eta_sec = 0;
  std::string message;  // the last error or notice ("rolled back to ...")
  std::string run_dir, last_snapshot;
  DatasetInfo data;
  uint64_t model_version = 0;  // increases whenever a new G_ema copy is published
};

// Per-tick means of the official statistics, for plots.
struct TrainerHistory {
  std::vector<double> kimg;
  std::map<std::string, std::vector<double>> series;  // name -> one value per tick (NaN when absent)
};

class Trainer {
 public:
  Trainer() = default;
  ~Trainer();  // stops (with a final snapshot) and joins
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  // Starts a run on a new thread; a previous run must have ended (else false). Errors while opening the
  // data or the model end in state Failed with the message.
  bool start(const TrainingOptions& options, torch::Device device = torch::kCPU);
  void pause();
  void resume();
  void stop();  // finishes the tick (stats, grid, snapshot) and ends the run
  void wait();  // joins the thread once the run has ended

  TrainerStatus status() const;
  TrainerHistory history() const;
  // The most recent G_ema copy (eval mode, no grads), published at most every `publish_interval_s` seconds
  // and at every tick; null before the first.
  std::shared_ptr<Generator> latest_generator(uint64_t* version = nullptr) const;
  // A small fixed-seed preview grid from the latest G_ema (at most `max_cells` images).
  GridImage latest_preview() const;
  double publish_interval_s = 2.0;
  int preview_cells = 16;

 private:
  void run(TrainingOptions options, torch::Device device);
  void publish(TrainingSession& session, const SampleGrid& preview);
  void set_state(TrainerState state, const std::string& message = "");

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::thread thread_;
  TrainerStatus status_;
  TrainerHistory history_;
  std::shared_ptr<Generator> generator_;
  GridImage preview_;
  bool pause_requested_ = false, stop_requested_ = false;
};

}  // namespace stylescope::train
