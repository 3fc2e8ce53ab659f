#include "app/gui/script.h"

#include "core/io/errors.h"
#include "core/train/training_config.h"

namespace stylescope::gui {

using nlohmann::json;

Script Script::load(const std::string& path) {
  const json steps = read_json_file(path, "script");
  if (!steps.is_array()) throw InputError(path, "a script is a JSON list of steps");
  Script script;
  script.path_ = path;
  for (size_t i = 0; i < steps.size(); ++i) {
    const json& step = steps[i];
    const std::string where = "step " + std::to_string(i + 1);
    if (!step.is_object() || step.size() != 1)
      throw InputError(path,
                       where +
                           " must be an object with one key: set, wait, wait_ms, save_session, "
                           "load_session, add_key, record, cancel_record, train, stop_training, project or "
                           "use_projection");
    if (step.contains("set")) {
      // Validate now so that a bad patch fails before the window opens.
      apply_patch(ExplorerState{}, step.at("set"), path + " (" + where + ")");
    } else if (step.contains("wait")) {
      if (step.at("wait") != "render" && step.at("wait") != "record" && step.at("wait") != "train" &&
          step.at("wait") != "project")
        throw InputError(path, where + ": \"wait\" takes \"render\", \"record\", \"train\" or \"project\"");
    } else if (step.contains("project")) {
      const json& o = step.at("project");
      const bool ok = o.is_object() && o.contains("target") && o.at("target").is_string() &&
                      (!o.contains("steps") || o.at("steps").is_number_integer()) &&
                      (!o.contains("wplus") || o.at("wplus").is_boolean()) &&
                      (!o.contains("vgg16") || o.at("vgg16").is_string());
      if (!ok)
        throw InputError(path, where +
                                   ": \"project\" takes {\"target\": PATH, \"steps\": N, \"vgg16\": PATH, "
                                   "\"wplus\": true|false}");
    } else if (step.contains("train")) {
      nlohmann::json options = step.at("train");
      if (options.is_object()) options.erase("follow");
      train::training_options_from_json(options, path + " (" + where + ")");
    } else if (step.contains("wait_ms")) {
      if (!step.at("wait_ms").is_number() || step.at("wait_ms").get<double>() < 0)
        throw InputError(path, where + ": \"wait_ms\" takes a non-negative number");
    } else if (step.contains("add_key") || step.contains("cancel_record") || step.contains("stop_training")) {
      if (step.begin().value() != true)
        throw InputError(path, where + ": \"" + step.begin().key() + "\" takes true");
    } else if (step.contains("save_session") || step.contains("load_session") || step.contains("record") ||
               step.contains("use_projection")) {
      if (!step.begin().value().is_string()) throw InputError(path, where + ": takes a file path");
    } else {
      throw InputError(path, where + ": unknown step '" + step.begin().key() + "'");
    }
    script.steps_.push_back(step);
  }
  return script;
}

bool Script::advance(ExplorerState& state, Status& status, double now, bool idle,
                     const ScriptActions& actions) {
  while (next_ < steps_.size()) {
    const json& step = steps_[next_];
    if (step.contains("set")) {
      state = apply_patch(state, step.at("set"), path_);
    } else if (step.contains("wait")) {
      if (step.at("wait") == "record") {
        if (actions.recording && actions.recording()) return false;
      } else if (step.at("wait") == "train") {
        if (actions.training && actions.training()) return false;
      } else if (step.at("wait") == "project") {
        if (actions.projecting && actions.projecting()) return false;
      } else if (!idle) {
        return false;
      }
    } else if (step.contains("add_key")) {
      state.timeline.keys.push_back(timeline_key(state));
    } else if (step.contains("train")) {
      if (actions.train)
        actions.train(step.at("train"));
      else
        status.fail("this window cannot train");
    } else if (step.contains("project")) {
      if (actions.project) actions.project(step.at("project"));
    } else if (step.contains("use_projection")) {
      if (actions.use_projection) actions.use_projection(step.at("use_projection").get<std::string>());
    } else if (step.contains("stop_training")) {
      if (actions.stop_training) actions.stop_training();
    } else if (step.contains("cancel_record")) {
      if (actions.cancel_record) actions.cancel_record();
    } else if (step.contains("record")) {
      if (actions.record)
        actions.record(step.at("record").get<std::string>());
      else
        status.fail("this window cannot record");
    } else if (step.contains("save_session") || step.contains("load_session")) {
      const std::string file = step.begin().value().get<std::string>();
      try {
        if (step.contains("save_session"))
          save_session(file, state);
        else
          state = load_session(file);
        status.info((step.contains("save_session") ? "Saved " : "Loaded ") + file);
      } catch (const std::exception& e) {
        status.fail(e.what());
      }
    } else {
      if (wait_until_ < 0) wait_until_ = now + step.at("wait_ms").get<double>() / 1000.0;
      if (now < wait_until_) return false;
      wait_until_ = -1;
    }
    ++next_;
    // A state change needs at least one frame to turn into a request before "render" can be waited on.
    if (step.contains("set") || step.contains("load_session")) return false;
  }
  return true;
}

}  // namespace stylescope::gui
