#include "app/gui/theme.h"

#include <imgui.h>

#include <algorithm>
#include <filesystem>

namespace stylescope::gui {

void apply_theme(int window_height) {
  ImGuiIO& io = ImGui::GetIO();
  const float size = std::clamp(window_height / 52.0f, 14.0f, 19.0f);
  // DejaVu Sans (Debian's fonts-dejavu-core) when present; ImGui's built-in bitmap font otherwise.
  for (const char* path :
       {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans.ttf"}) {
    if (std::filesystem::exists(path) && io.Fonts->AddFontFromFileTTF(path, size)) break;
  }
  ImGui::StyleColorsDark();
  ImGuiStyle& style = ImGui::GetStyle();
  style.WindowRounding = 0;
  style.FrameRounding = 3;
  style.GrabRounding = 3;
  style.ScrollbarRounding = 3;
  style.WindowBorderSize = 0;
  style.FramePadding = ImVec2(6, 4);
  style.ItemSpacing = ImVec2(8, 6);
  style.WindowPadding = ImVec2(10, 10);
  ImVec4* c = style.Colors;
  c[ImGuiCol_WindowBg] = ImVec4(0.13f, 0.135f, 0.15f, 1.0f);
  c[ImGuiCol_Header] = ImVec4(0.22f, 0.30f, 0.42f, 1.0f);
  c[ImGuiCol_HeaderHovered] = ImVec4(0.28f, 0.38f, 0.54f, 1.0f);
  c[ImGuiCol_HeaderActive] = ImVec4(0.32f, 0.44f, 0.62f, 1.0f);
  c[ImGuiCol_FrameBg] = ImVec4(0.20f, 0.21f, 0.24f, 1.0f);
  c[ImGuiCol_FrameBgHovered] = ImVec4(0.26f, 0.28f, 0.32f, 1.0f);
  c[ImGuiCol_SliderGrab] = ImVec4(0.45f, 0.62f, 0.90f, 1.0f);
  c[ImGuiCol_CheckMark] = ImVec4(0.55f, 0.72f, 1.0f, 1.0f);
  c[ImGuiCol_Button] = ImVec4(0.24f, 0.32f, 0.46f, 1.0f);
  c[ImGuiCol_ButtonHovered] = ImVec4(0.30f, 0.40f, 0.58f, 1.0f);
}

}  // namespace stylescope::gui
