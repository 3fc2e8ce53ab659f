#include "app/gui/training_host.h"

#include "core/io/errors.h"

namespace stylescope::gui {

std::string TrainingHost::start(train::TrainingOptions options, bool follow) {
  if (options.data.empty()) return "Fine-tune: choose a dataset folder or zip";
  if (options.out.empty()) return "Fine-tune: choose a run folder";
  follow_ = follow;
  shown_version_ = 0;
  if (!trainer_.start(options, device_)) return "Fine-tune: a run is already going on";
  last_options_ = options;
  return "";
}

std::string TrainingHost::start_from_json(const nlohmann::json& json, const std::string& current_model) {
  nlohmann::json options = json;
  bool follow = false;
  try {
    if (options.contains("follow")) {
      follow = options.at("follow").get<bool>();
      options.erase("follow");
    }
    train::TrainingOptions o = train::training_options_from_json(options, "script train step");
    if (o.resume == "current") o.resume = current_model;
    return start(o, follow);
  } catch (const std::exception& e) {
    return e.what();
  }
}

bool TrainingHost::follow(ModelHost& models, ExplorerState& state, std::string& attempted_model) {
  if (!follow_) return false;
  uint64_t version = 0;
  auto generator = trainer_.latest_generator(&version);
  if (!generator || version == shown_version_) return false;
  shown_version_ = version;
  auto model = std::make_shared<LoadedModel>();
  model->path = trainer_.status().run_dir + " (training)";
  model->format = "training";
  model->generator_source = "G_ema";
  model->networks = {"G_ema"};
  model->config = (*generator)->config;
  model->G = *generator;
  models.adopt(model);
  // The state names the model on screen; the app must not try to open this label as a file.
  state.model = model->path;
  attempted_model = model->path;
  return true;
}

bool TrainingHost::busy() const {
  const auto status = trainer_.status();
  const bool running =
      status.state == train::TrainerState::Starting || status.state == train::TrainerState::Running ||
      status.state == train::TrainerState::Paused || status.state == train::TrainerState::Stopping;
  return running ||
         (follow_ && status.model_version != shown_version_ && status.state != train::TrainerState::Failed);
}

}  // namespace stylescope::gui
