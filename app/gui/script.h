#pragma once
// Scripted mode (--script steps.json): a JSON list of steps the window plays back, for tests and for the
// documentation's screenshots: {"set": <merge patch of ExplorerState>}, {"wait": "render"}, {"wait_ms": N},
// {"save_session": PATH}, {"load_session": PATH} (as the Capture panel's buttons: errors go to the status
// bar), {"add_key": true} (the Timeline panel's "Add key"), {"record": PATH} (its Record button) and
// {"wait": "record"} (until that recording has ended), {"cancel_record": true} (its Cancel button),
// {"train": {options}} (the Fine-tune panel's Start, options named as the `train` flags, plus "follow": true
// to show the model being trained), {"wait": "train"} (until that run has ended) and {"stop_training": true},
// {"project": {"target": PATH, "steps": N, "vgg16": PATH, "wplus": bool}} (the Projection panel's Project),
// {"wait": "project"} and {"use_projection": DIR} (its "Use as latent" with DIR as the folder).
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/gui/panel_context.h"
#include "core/explore/explorer_state.h"

namespace stylescope::gui {

// What steps can do beyond the state: the app's recorder.
struct ScriptActions {
  std::function<void(const std::string& out)> record;
  std::function<bool()> recording;
  std::function<void()> cancel_record;
  std::function<void(const nlohmann::json& options)> train;
  std::function<bool()> training;
  std::function<void()> stop_training;
  std::function<void(const nlohmann::json& options)> project;
  std::function<bool()> projecting;
  std::function<void(const std::string& dir)> use_projection;
};

class Script {
 public:
  Script() = default;
  // Throws InputError naming the file and the step for anything that is not a valid script.
  static Script load(const std::string& path);

  // Runs the steps that can run now; returns true once every step has run. `idle`: the view shows the
  // image of the current state and nothing is being rendered or loaded.
  bool advance(ExplorerState& state, Status& status, double now_seconds, bool idle,
               const ScriptActions& actions = {});
  bool done() const { return next_ >= steps_.size(); }

 private:
  std::string path_;
  std::vector<nlohmann::json> steps_;
  size_t next_ = 0;
  double wait_until_ = -1;
};

}  // namespace stylescope::gui
