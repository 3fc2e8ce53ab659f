// The explorer window (placeholder until the GUI issue lands): the current image, large, and a seed/psi
// panel. The canonical GLFW + OpenGL3 + Dear ImGui loop: poll -> NewFrame -> build UI -> Render -> swap.
#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include <cstdio>

#include "app/cli/common.h"
#include "app/gui/gl_image.h"
#include "app/gui/gui.h"
#include "core/io/errors.h"
#include "core/io/image.h"
#include "core/io/image_convert.h"

namespace stylescope::gui {

namespace {

struct GuiOptions {
  cli::CommonOptions common;
  cli::LatentOptions latent;
  int seed = 0;
  std::string screenshot, save_view;
  bool exit_after_render = false;
};

int run_window(const GuiOptions& o) {
  const torch::Device device = cli::setup_device(o.common);
  LoadedModel model = load_model(cli::resolve_model_path(o.common.model), device);
  Renderer renderer(model.G, device);
  ForwardOptions fwd = cli::forward_options(o.latent, device);
  LatentRequest request;
  request.seed = static_cast<uint32_t>(o.seed);
  request.psi = o.latent.trunc;
  request.cutoff = o.latent.trunc_cutoff;
  request.class_idx = o.latent.class_idx;
  if (model.config.c_dim > 0 && !request.class_idx) request.class_idx = 0;

  if (!glfwInit()) throw std::runtime_error("cannot initialise GLFW (is there a display?)");
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  GLFWwindow* window = glfwCreateWindow(1280, 800, "StyleScope", nullptr, nullptr);
  if (!window) {
    glfwTerminate();
    throw std::runtime_error("cannot open an OpenGL 3.3 window");
  }
  glfwMakeContextCurrent(window);
  glfwSwapInterval(1);
  if (!load_gl_functions()) throw std::runtime_error("cannot load OpenGL functions");
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;
  ImGui::StyleColorsDark();
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  ImGui_ImplOpenGL3_Init("#version 330");

  GlImage image;
  std::vector<uint8_t> view_pixels;
  LatentRequest shown;
  bool dirty = true;
  int frames_since_render = 0;
  while (!glfwWindowShouldClose(window)) {
    glfwPollEvents();
    if (dirty) {
      auto ws = renderer.ws_for(request);
      auto img = renderer.synthesize(ws, fwd)[0].contiguous();
      const int c = static_cast<int>(img.size(0)), r = static_cast<int>(img.size(1));
      view_pixels = chw_to_hwc_uint8(img.data_ptr<float>(), c, r, r);
      image.upload(view_pixels.data(), r, r, c);
      shown = request;
      dirty = false;
      frames_since_render = 0;
      if (!o.save_view.empty()) write_png(o.save_view, view_pixels.data(), r, r, c);
    }
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
    int fb_w, fb_h;
    glfwGetFramebufferSize(window, &fb_w, &fb_h);
    const float panel_w = 320.0f;
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(panel_w, static_cast<float>(fb_h)));
    ImGui::Begin("Latent", nullptr, ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize);
    ImGui::TextWrapped("%s", model.path.c_str());
    ImGui::Text("%dx%d, %d channels, %s", model.config.img_resolution, model.config.img_resolution,
                model.config.img_channels, architecture_name(model.config.architecture));
    int seed = static_cast<int>(request.seed);
    if (ImGui::InputInt("Seed", &seed) && seed >= 0) request.seed = static_cast<uint32_t>(seed);
    float psi = static_cast<float>(request.psi);
    if (ImGui::SliderFloat("Truncation psi", &psi, -1.0f, 2.0f)) request.psi = psi;
    if (model.config.c_dim > 0) {
      int cls = request.class_idx.value_or(0);
      if (ImGui::SliderInt("Class", &cls, 0, model.config.c_dim - 1)) request.class_idx = cls;
    }
    ImGui::End();
    const float view_w = static_cast<float>(fb_w) - panel_w;
    ImGui::SetNextWindowPos(ImVec2(panel_w, 0));
    ImGui::SetNextWindowSize(ImVec2(view_w, static_cast<float>(fb_h)));
    ImGui::Begin("Image", nullptr, ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoTitleBar);
    const float side = std::min(view_w - 16.0f, static_cast<float>(fb_h) - 16.0f);
    ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(image.texture())), ImVec2(side, side));
    ImGui::End();
    if (request.key() != shown.key()) dirty = true;

    ImGui::Render();
    glfwGetFramebufferSize(window, &fb_w, &fb_h);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    ++frames_since_render;
    if (!o.screenshot.empty() && frames_since_render == 3) {
      auto rgb = read_framebuffer(fb_w, fb_h);
      write_png(o.screenshot, rgb.data(), fb_w, fb_h, 3);
    }
    glfwSwapBuffers(window);
    if (o.exit_after_render && frames_since_render >= 3) break;
  }
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
  return 0;
}

}  // namespace

void add_gui_command(CLI::App& app) {
  auto opts = std::make_shared<GuiOptions>();
  CLI::App* cmd = app.add_subcommand("gui", "Open the explorer window (the default without a subcommand)");
  cli::add_model_options(cmd, opts->common);
  cmd->add_option("--seed", opts->seed, "Seed to show first")->check(CLI::NonNegativeNumber);
  cmd->add_option("--trunc", opts->latent.trunc, "Truncation psi");
  cmd->add_option("--trunc-cutoff", opts->latent.trunc_cutoff, "Truncate only layers below this index");
  cmd->add_option("--noise-mode", opts->latent.noise_mode, "const, random or none")
      ->check(CLI::IsMember({"const", "random", "none"}));
  cmd->add_option("--class", opts->latent.class_idx, "Class index for conditional models");
  cmd->add_option("--screenshot", opts->screenshot, "Write the window's contents to this PNG");
  cmd->add_option("--save-view", opts->save_view, "Write the displayed image to this PNG");
  cmd->add_flag("--exit-after-render", opts->exit_after_render, "Close once the first image is shown");
  cmd->callback([opts]() { run_window(*opts); });
}

}  // namespace stylescope::gui
