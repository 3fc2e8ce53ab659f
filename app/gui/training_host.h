#pragma once
// The window's training run: a Trainer thread (core/train/trainer.h) plus "follow", which makes each
// G_ema copy the trainer publishes the model on screen, so the main view shows the model being trained.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "app/gui/model_host.h"
#include "core/explore/explorer_state.h"
#include "core/train/trainer.h"

namespace stylescope::gui {

class TrainingHost {
 public:
  explicit TrainingHost(torch::Device device) : device_(device) {}
  // Starts a run; an empty `options.resume` with `resume_current` set fine-tunes the model on screen.
  // Returns an error message ("" when started).
  std::string start(train::TrainingOptions options, bool follow);
  // The scripted "train" step: options as JSON (the `train` flag names, "resume": "current" for the model
  // on screen, "follow": bool).
  std::string start_from_json(const nlohmann::json& options, const std::string& current_model);
  void stop() { trainer_.stop(); }

  // Once per UI frame: shows the newest G_ema when following. Returns true when it changed the model.
  bool follow(ModelHost& models, ExplorerState& state, std::string& attempted_model);
  // True while the run goes on, or while a published model has not been shown yet when following.
  bool busy() const;

  train::Trainer& trainer() { return trainer_; }
  // The options of the last run started (the panel shows them while it runs).
  const train::TrainingOptions& last_options() const { return last_options_; }
  bool& following() { return follow_; }

 private:
  torch::Device device_;
  train::Trainer trainer_;
  bool follow_ = false;
  uint64_t shown_version_ = 0;
  train::TrainingOptions last_options_;
};

}  // namespace stylescope::gui
