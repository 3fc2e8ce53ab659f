#pragma once
// ExplorerApp: one explorer window's logic between GLFW and the panels. Each UI frame it polls model loads
// and the script, turns ExplorerState into a RenderRequest for the AsyncRenderer, uploads finished frames,
// and lays out the panels around the image view. It never waits on the model.
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/gui/gl_image.h"
#include "app/gui/gl_view.h"
#include "app/gui/model_host.h"
#include "app/gui/panel_context.h"
#include "app/gui/recorder.h"
#include "app/gui/script.h"
#include "app/gui/training_host.h"
#include "core/explore/async_renderer.h"

namespace stylescope::gui {

// How rendered images reach the view's texture (--display).
enum class DisplayPath {
  Auto,     // CUDA-GL interop when rendering on a GPU in a CUDA build and it works, else a PBO upload
  Pbo,      // always through host memory
  Interop,  // CUDA-GL interop or, in scripted mode, exit 2 (the device checks prove the path is used)
};

struct AppOptions {
  std::optional<Script> script;
  bool scripted = false;       // --script or --exit-after-render: errors exit 2, the app exits when done
  std::string initial_styles;  // --styles, checked against the first model's num_ws
  int render_delay_ms = 0;     // tests: a deliberately slow renderer
  DisplayPath display = DisplayPath::Auto;
};

// Counters for the responsiveness test (--stats).
struct FrameStats {
  uint64_t frames = 0, frames_while_rendering = 0;
  double longest_frame_ms = 0;
};

class ExplorerApp {
 public:
  ExplorerApp(ExplorerState initial, AppOptions options, torch::Device device, ForwardOptions base_options);
  // Once per UI frame, before the ImGui frame: loads, script, animation, renders.
  void update(double now);
  // Builds the ImGui windows for a framebuffer of fb_w x fb_h.
  void draw(int fb_w, int fb_h);
  // Scripted mode: every step ran and the image of the final state has been on screen.
  bool finished() const;
  // Scripted mode: a load or render error to exit 2 with (empty otherwise).
  const std::string& fatal_error() const { return fatal_; }

  void open_model(const std::string& path);
  // A dropped image becomes the Projection panel's target.
  void set_projection_target(const std::string& path);
  // Records the state's timeline to `out` (.mp4 or a folder) on the recorder's thread.
  void start_recording(const std::string& out);
  const RenderedFrame* shown() const { return shown_ ? &*shown_ : nullptr; }
  // The frame on screen with its pixels on the host (copied down once when it came through interop).
  const RenderedFrame* shown_on_host();
  // Frees the view texture's GL and CUDA interop objects while the GL context still exists.
  void release_gl();
  const GlImage& image() const { return image_; }
  const FrameStats& stats() const { return stats_; }
  const std::string& display_path() const { return perf_.display; }
  // Where everything was drawn in the last frame: windows, open panels, the image, the status line.
  nlohmann::json layout() const;
  ExplorerState& state() { return state_; }

 private:
  bool idle() const;
  PanelContext panel_context(float font_size = 13);
  RenderRequest current_request() const;
  void on_model_loaded();
  void take_frame();
  void update_timeline(double dt);
  void draw_view(float x, float y, float w, float h);
  void draw_status_bar(float y, float w, float h);
  ExplorerState state_;
  AppOptions options_;
  ForwardOptions base_options_;
  Recorder recorder_;
  ModelHost models_;
  TrainingHost training_;
  ProjectionPanelState projection_;
  // Whether the renderer leaves images on the GPU for interop. Read on the render thread: declared before
  // async_ so that it outlives the thread, which async_'s destructor joins.
  std::atomic<bool> frames_on_device_{false};
  std::unique_ptr<AsyncRenderer> async_;
  std::optional<RenderRequest> submitted_;
  std::optional<RenderedFrame> shown_;
  int frames_since_shown_ = 0;
  GlImage image_;
  GlView view_;
  Status status_;
  PerfStats perf_;
  FrameStats stats_;
  bool show_help_ = false;
  bool first_model_ = true;
  double last_now_ = -1;
  std::vector<std::string> drawn_panels_;
  float image_rect_[4] = {0, 0, 0, 0};  // x, y, w, h on screen
  std::string attempted_model_;         // the last path a load was started for (failed loads are not retried)
  std::string fatal_;
};

}  // namespace stylescope::gui
