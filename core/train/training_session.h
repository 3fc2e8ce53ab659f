#pragma once
// One training run, step by step (spec §5.2, training/training_loop.py): the data, the three networks,
// the loss and the two optimizers, the tick/snapshot schedule and the run folder. Synchronous: the CLI
// drives it in a loop, the GUI's Trainer on its own thread.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/train/adam.h"
#include "core/train/dataset.h"
#include "core/train/distributed.h"
#include "core/train/loss.h"
#include "core/train/sample_grid.h"
#include "core/train/training_config.h"
#include "core/train/training_networks.h"
#include "core/train/training_stats.h"

namespace stylescope::train {

// A loss became NaN or infinite: the run stopped before anything was written over the last good snapshot.
struct TrainingDiverged : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct TickReport {
  int tick = 0;
  double kimg = 0;
  std::map<std::string, StatSummary> stats;  // the official statistics of this tick
  nlohmann::json line;                       // what went into stats.jsonl
  std::string grid_path, snapshot_path;      // written at this tick ("" when not)
};

struct SessionSettings {
  bool write_files = true;          // false on ranks other than 0
  bool allow_existing_run = false;  // the GUI's rollback re-opens its own run folder
  torch::Device device = torch::kCPU;
  // Optional: called after every tick (stats line, grid and snapshot already written).
  std::function<void(const TickReport&)> on_tick;
};

class TrainingSession {
 public:
  // Opens the data, builds or loads the networks and writes training_options.json, reals.png and
  // fakes_init.png into options.out (which must be new or empty). InputError for bad input.
  TrainingSession(const TrainingOptions& options, ProcessGroup& group, SessionSettings settings = {});
  ~TrainingSession();

  // One iteration: Gmain, Greg (every 4), Dmain, Dreg (every 16), optimizer steps, G_ema; then the tick's
  // outputs when a tick ends. Throws TrainingDiverged when a loss is not finite.
  void step();
  bool done() const { return cur_nimg_ >= total_nimg_; }
  // Ends the run early: a final stats line, grid and snapshot for the images trained so far.
  void finish();

  int64_t cur_nimg() const { return cur_nimg_; }
  int64_t total_nimg() const { return total_nimg_; }
  int64_t batch_idx() const { return batch_idx_; }
  int cur_tick() const { return cur_tick_; }
  double img_per_sec() const;  // over the current tick so far (or the last one)
  const ResolvedTraining& resolved() const { return resolved_; }
  const DatasetInfo& data_info() const { return dataset_->info(); }
  const ImageDataset& dataset() const { return *dataset_; }
  TrainingNetworks& networks() { return nets_; }
  const std::string& last_snapshot() const { return last_snapshot_; }
  const std::string& run_dir() const { return options_.out; }

  // Writes a snapshot now (network-snapshot-<kimg>.safetensors); returns its path.
  std::string save_snapshot();
  // Renders the fixed sample grid from G_ema (noise const) as HWC uint8.
  GridImage render_grid();

 private:
  void end_tick();
  torch::Tensor sample_labels(int64_t count);
  void write_options();

  TrainingOptions options_;
  ProcessGroup& group_;
  SessionSettings settings_;
  std::shared_ptr<ImageDataset> dataset_;
  std::unique_ptr<DataLoader> loader_;
  ResolvedTraining resolved_;
  TrainingNetworks nets_;
  std::unique_ptr<LossRandom> random_;
  std::unique_ptr<StyleGAN2Loss> loss_;
  std::unique_ptr<Adam> opt_G_, opt_D_;
  SampleGrid grid_;
  TrainingStats tick_stats_, step_stats_;
  int64_t cur_nimg_ = 0, total_nimg_ = 0, batch_idx_ = 0, tick_start_nimg_ = 0, data_position_ = 0;
  int cur_tick_ = 0;
  double start_time_ = 0, tick_start_time_ = 0, elapsed_before_ = 0, maintenance_sec_ = 0;
  double last_img_per_sec_ = 0;
  std::string last_snapshot_;
};

}  // namespace stylescope::train
