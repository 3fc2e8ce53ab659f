// Keyboard shortcuts and the overlay that lists them (F1 or ?).
#include <GLFW/glfw3.h>
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "app/gui/panel_context.h"

namespace stylescope::gui {

namespace {

struct Shortcut {
  const char* keys;
  const char* action;
};

constexpr Shortcut kShortcuts[] = {
    {"Left / Right", "previous / next seed"},
    {"Up / Down", "seed - / + 100 (a row of the seed pad)"},
    {"R", "random seed"},
    {"Space", "animate through seed space"},
    {"[  /  ]", "truncation psi - / + 0.05"},
    {"N", "noise mode: const, random, none"},
    {"M", "style mixing on / off"},
    {"G", "mixing grid on / off"},
    {"L", "back to the image from a layer view"},
    {"F  /  1", "fit the view  /  one image pixel per screen pixel"},
    {"P", "sharp pixels always / only when magnified 4x or more"},
    {"Mouse wheel, drag", "zoom about the cursor, pan; double-click fits"},
    {"F1  /  ?", "this help"},
};

// Dear ImGui 1.86 indexes keys by the backend's codes: GLFW_KEY_* with the GLFW backend.
bool pressed(int glfw_key) { return ImGui::IsKeyPressed(glfw_key); }

}  // namespace

void handle_shortcuts(PanelContext& ctx) {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput || io.KeyCtrl || io.KeyAlt) return;
  ExplorerState& s = ctx.state;
  if (pressed(GLFW_KEY_RIGHT)) s.latent.x = std::round(s.latent.x) + 1;
  if (pressed(GLFW_KEY_LEFT)) s.latent.x = std::max(0.0, std::round(s.latent.x) - 1);
  if (pressed(GLFW_KEY_DOWN)) s.latent.y = std::round(s.latent.y) + 1;
  if (pressed(GLFW_KEY_UP)) s.latent.y = std::max(0.0, std::round(s.latent.y) - 1);
  if (pressed(GLFW_KEY_R)) s.set_seed(std::random_device{}() % 100000);
  if (pressed(GLFW_KEY_SPACE)) s.latent.animate = !s.latent.animate;
  if (pressed(GLFW_KEY_LEFT_BRACKET)) s.truncation.psi = std::max(-1.0, s.truncation.psi - 0.05);
  if (pressed(GLFW_KEY_RIGHT_BRACKET)) s.truncation.psi = std::min(2.0, s.truncation.psi + 0.05);
  if (pressed(GLFW_KEY_N))
    s.noise.mode = s.noise.mode == "const" ? "random" : s.noise.mode == "random" ? "none" : "const";
  if (pressed(GLFW_KEY_M)) s.mixing.enabled = !s.mixing.enabled;
  if (pressed(GLFW_KEY_G)) s.mixing.grid = !s.mixing.grid;
  if (pressed(GLFW_KEY_L)) s.view.layer.clear();
  if (pressed(GLFW_KEY_F)) {
    s.view.fit = true;
    s.view.pan_x = s.view.pan_y = 0;
  }
  if (pressed(GLFW_KEY_P)) s.view.nearest = !s.view.nearest;
  if (pressed(GLFW_KEY_1)) {
    s.view.fit = false;
    s.view.zoom = 1;
  }
  if (pressed(GLFW_KEY_F1) || (pressed(GLFW_KEY_SLASH) && io.KeyShift)) ctx.show_help = !ctx.show_help;
}

void help_overlay(PanelContext& ctx) {
  if (!ctx.show_help) return;
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos(ImVec2(display.x / 2, display.y / 2), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowBgAlpha(0.94f);
  ImGui::Begin("Keyboard shortcuts", &ctx.show_help,
               ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoCollapse);
  if (ImGui::BeginTable("##keys", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit)) {
    for (const auto& s : kShortcuts) {
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::TextUnformatted(s.keys);
      ImGui::TableSetColumnIndex(1);
      ImGui::TextDisabled("%s", s.action);
    }
    ImGui::EndTable();
  }
  ImGui::End();
}

}  // namespace stylescope::gui
