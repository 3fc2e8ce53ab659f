#include "app/gui/window.h"

#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "app/gui/theme.h"
#include "core/io/errors.h"
#include "core/io/image.h"
#include "core/io/image_convert.h"
#include "core/train/dataset_files.h"
#include "core/util/atomic_file.h"

namespace stylescope::gui {

namespace {

void on_drop(GLFWwindow* window, int count, const char** paths) {
  auto* app = static_cast<ExplorerApp*>(glfwGetWindowUserPointer(window));
  if (count == 0) return;
  if (train::has_image_extension(paths[0]))
    app->set_projection_target(paths[0]);
  else
    app->open_model(paths[0]);
}

// The model's pixels (HWC, its own channel count) from the RGBA texture read back from OpenGL.
std::vector<uint8_t> texture_pixels(const GlImage& image, int channels) {
  const auto rgba = image.read_back();
  return rgba_to_channels(rgba.data(), rgba.size() / 4, channels);
}

void write_json(const std::string& path, const nlohmann::json& j) {
  const std::string text = j.dump(2) + "\n";
  write_file_atomic(path, text.data(), text.size());
}

void write_outputs(ExplorerApp& app, const WindowOptions& o, int fb_w, int fb_h) {
  if (!o.screenshot.empty()) {
    const auto rgb = read_framebuffer(fb_w, fb_h);
    write_png(o.screenshot, rgb.data(), fb_w, fb_h, 3);
  }
  if (!o.layout.empty()) write_json(o.layout, app.layout());
  const RenderedFrame* f = app.shown_on_host();
  if (f && !f->pixels.empty()) {
    if (!o.save_view.empty()) write_png(o.save_view, f->pixels.data(), f->width, f->height, f->channels);
    if (!o.save_texture.empty()) {
      const auto px = texture_pixels(app.image(), f->channels);
      write_png(o.save_texture, px.data(), f->width, f->height, f->channels);
    }
  }
}

void write_stats(const ExplorerApp& app, const std::string& path) {
  const FrameStats& s = app.stats();
  write_json(path, {{"frames", s.frames},
                    {"frames_while_rendering", s.frames_while_rendering},
                    {"longest_frame_ms", s.longest_frame_ms},
                    {"display", app.display_path()}});
}

}  // namespace

int run_window(ExplorerApp& app, const WindowOptions& o, bool scripted) {
  if (!glfwInit()) throw std::runtime_error("cannot initialise GLFW (is there a display?)");
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  GLFWwindow* window = glfwCreateWindow(o.width, o.height, "StyleScope", nullptr, nullptr);
  if (!window) {
    glfwTerminate();
    throw std::runtime_error("cannot open an OpenGL 3.3 window");
  }
  glfwMakeContextCurrent(window);
  glfwSwapInterval(1);
  if (!load_gl_functions(glfwGetProcAddress)) throw std::runtime_error("cannot load OpenGL functions");
  glfwSetWindowUserPointer(window, &app);
  glfwSetDropCallback(window, on_drop);
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;
  apply_theme(o.height);
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  ImGui_ImplOpenGL3_Init("#version 330");

  int code = 0;
  while (!glfwWindowShouldClose(window)) {
    // About 60 UI frames a second while something moves; the render thread gets the rest of the CPU.
    glfwWaitEventsTimeout(1.0 / 60);
    app.update(glfwGetTime());
    if (scripted && !app.fatal_error().empty()) {
      std::fprintf(stderr, "stylescope: %s\n", app.fatal_error().c_str());
      code = 2;
      break;
    }
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
    int fb_w, fb_h;
    glfwGetFramebufferSize(window, &fb_w, &fb_h);
    app.draw(fb_w, fb_h);
    ImGui::Render();
    clear_framebuffer(fb_w, fb_h);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    if (scripted && app.finished()) {
      write_outputs(app, o, fb_w, fb_h);
      break;
    }
    glfwSwapBuffers(window);
  }
  if (!o.stats.empty()) write_stats(app, o.stats);
  app.release_gl();
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
  return code;
}

}  // namespace stylescope::gui
