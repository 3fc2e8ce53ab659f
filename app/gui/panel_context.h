#pragma once
// What every panel sees: the state it edits, the model and the frame on screen, and the status line.
// Panels edit state only; the app turns state into renders.
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "app/gui/gl_image.h"
#include "app/gui/model_host.h"
#include "app/gui/projection_job.h"
#include "app/gui/recorder.h"
#include "app/gui/training_host.h"
#include "core/explore/explorer_state.h"
#include "core/explore/frame_renderer.h"

namespace stylescope::gui {

struct Status {
  std::string message;
  bool error = false;
  void info(const std::string& m) {
    message = m;
    error = false;
  }
  void fail(const std::string& m) {
    message = m;
    error = true;
  }
};

struct PerfStats {
  double render_ms = 0, frame_ms = 0, fps = 0;
  std::string display = "PBO upload";  // how images reach the texture (GlImage::upload_path)
  uint64_t renders = 0, dropped = 0;
  std::deque<float> render_history;  // recent render times (ms) for the plot
  bool busy = false;
};

// The Projection panel's state between frames: its job, the preview texture (target beside projection) and
// the fields. The app owns it (the texture is freed with the other GL objects).
struct ProjectionPanelState {
  ProjectionJob job;
  GlImage preview;
  uint64_t shown_version = 0;
  std::string target, vgg16, out = "projection";
  int steps = 1000;
  bool wplus = false;
};

struct PanelContext {
  ExplorerState& state;
  ModelHost& models;
  const FrameRenderer* model = nullptr;  // null while no model is loaded
  RenderedFrame* frame = nullptr;  // the frame on screen (null before the first); download() for its pixels
  Status& status;
  PerfStats& perf;
  bool& show_help;
  float font_size = 13;
  std::function<void(const std::string&)> open_model;
  std::vector<std::string>* drawn_panels = nullptr;  // panels shown open this frame (the layout report)
  Recorder* recorder = nullptr;                      // the timeline's recording, if one runs
  std::function<void(const std::string&)> record;    // starts recording the timeline to a path
  TrainingHost* training = nullptr;                  // the fine-tune run
  ProjectionPanelState* projection = nullptr;
};

// Starts projecting `target` into the current model (the panel's Project button, the script's "project").
void start_projection(PanelContext& ctx, const std::string& target);
// Saves the projection to `dir` (projector.py's files) and makes its w the current latent; false with the
// status set when there is nothing to use.
bool use_projection(PanelContext& ctx, const std::string& dir);

// A panel's collapsing header, open by default; records the panel as drawn when open.
bool panel_header(PanelContext& ctx, const char* name);

// A path field for a saved w (.npy / .npz) and a button beside it: `use_label` takes the typed path into
// `file` (index 0), `back_label` clears `file` again. `buffer` holds what is typed between frames.
void w_file_field(const char* id, const char* hint, char* buffer, size_t size, std::string& file, int& index,
                  const char* use_label, const char* back_label, float button_width);

// An ImGui slider format for class `cls` of the loaded model: "%d: Coat" where the model names its classes
// (the default model does), else "%d".
std::string class_slider_format(const PanelContext& ctx, int cls);

// One function per panel (app/gui/panels/).
void model_panel(PanelContext& ctx);
void latent_panel(PanelContext& ctx);
void truncation_panel(PanelContext& ctx);
void mixing_panel(PanelContext& ctx);
void timeline_panel(PanelContext& ctx);
void directions_panel(PanelContext& ctx);
void layers_panel(PanelContext& ctx);
void resolution_panel(PanelContext& ctx);
void projection_panel(PanelContext& ctx);
void performance_panel(PanelContext& ctx);
void capture_panel(PanelContext& ctx);
void finetune_panel(PanelContext& ctx);
void help_overlay(PanelContext& ctx);

// Keyboard shortcuts (when no text field has focus), listed by help_overlay.
void handle_shortcuts(PanelContext& ctx);

}  // namespace stylescope::gui
