#pragma once
// The GLFW window and Dear ImGui around an ExplorerApp, and the scripted outputs written at the end.
#include <string>

#include "app/gui/explorer_app.h"

namespace stylescope::gui {

struct WindowOptions {
  int width = 1280, height = 800;
  std::string screenshot;    // the whole window as PNG
  std::string save_view;     // the model's pixels as displayed, 8-bit as `generate` writes them
  std::string save_texture;  // the view texture read back from OpenGL
  std::string stats;         // frame counters as JSON (the responsiveness test)
  std::string layout;        // scripted mode: where windows, panels and the image were drawn, as JSON
};

// Runs until the window is closed, or in scripted mode until the app finishes. Returns the exit code.
int run_window(ExplorerApp& app, const WindowOptions& options, bool scripted);

}  // namespace stylescope::gui
