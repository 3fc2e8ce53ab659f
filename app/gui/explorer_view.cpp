// The image view of ExplorerApp: fit / zoom / pan / 1:1 with the mouse, drawn by GlView's shaders.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/gui/explorer_app.h"

namespace stylescope::gui {

void ExplorerApp::draw_view(float x, float y, float w, float h) {
  ImGui::SetNextWindowPos(ImVec2(x, y));
  ImGui::SetNextWindowSize(ImVec2(w, h));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
  ImGui::Begin("##view", nullptr,
               ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoTitleBar |
                   ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse |
                   ImGuiWindowFlags_NoBringToFrontOnFocus);
  ImGui::PopStyleVar();
  const int vw = std::max(1, static_cast<int>(w)), vh = std::max(1, static_cast<int>(h));
  ViewState& v = state_.view;
  if (shown_ && image_.width() > 0) {
    const float iw = static_cast<float>(image_.width()), ih = static_cast<float>(image_.height());
    const float margin = 12;
    const float fit_scale = std::max(0.01f, std::min((vw - 2 * margin) / iw, (vh - 2 * margin) / ih));
    float scale = v.fit ? fit_scale : static_cast<float>(v.zoom);
    ImGui::InvisibleButton("##image", ImVec2(static_cast<float>(vw), static_cast<float>(vh)));
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    const float mx = mouse.x - x, my = mouse.y - y;
    if (ImGui::IsItemHovered()) {
      const float wheel = ImGui::GetIO().MouseWheel;
      if (wheel != 0) {
        // Zoom about the cursor: the image point under it stays put.
        const float new_scale = std::clamp(scale * std::pow(1.15f, wheel), 0.05f, 64.0f);
        const float cx = vw / 2.0f + static_cast<float>(v.pan_x),
                    cy = vh / 2.0f + static_cast<float>(v.pan_y);
        v.pan_x += (mx - cx) * (1 - new_scale / scale);
        v.pan_y += (my - cy) * (1 - new_scale / scale);
        v.fit = false;
        v.zoom = new_scale;
        scale = new_scale;
      }
      if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) {
        v.fit = true;
        v.pan_x = v.pan_y = 0;
      }
    }
    if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 1.0f)) {
      const ImVec2 d = ImGui::GetIO().MouseDelta;
      v.pan_x += d.x;
      v.pan_y += d.y;
    }
    if (v.fit) v.pan_x = v.pan_y = 0;
    ViewPlacement p;
    p.scale = scale;
    p.origin_x = std::round(vw / 2.0f + static_cast<float>(v.pan_x) - iw * scale / 2);
    p.origin_y = std::round(vh / 2.0f + static_cast<float>(v.pan_y) - ih * scale / 2);
    // Enlarged far beyond its size a small image reads better as pixels than as a blur.
    p.nearest = v.nearest || scale >= 4;
    p.colormap = shown_->colormap;
    image_rect_[0] = x + p.origin_x;
    image_rect_[1] = y + p.origin_y;
    image_rect_[2] = iw * scale;
    image_rect_[3] = ih * scale;
    const unsigned target = view_.draw(image_.texture(), image_.width(), image_.height(), vw, vh, p);
    ImGui::SetCursorPos(ImVec2(0, 0));
    ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(target)),
                 ImVec2(static_cast<float>(vw), static_cast<float>(vh)));
    // The zoom label on a dark plate, readable over any image.
    char label[64];
    std::snprintf(label, sizeof label, "%s  %.0f%%  %s", v.fit ? "fit" : "zoom", scale * 100,
                  p.nearest ? "pixels" : "smooth");
    const ImVec2 size = ImGui::CalcTextSize(label), at(x + 8, y + 6);
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(at.x - 4, at.y - 2),
                                              ImVec2(at.x + size.x + 4, at.y + size.y + 2),
                                              IM_COL32(20, 20, 24, 190), 3);
    ImGui::GetWindowDrawList()->AddText(at, IM_COL32(200, 200, 205, 255), label);
  } else {
    const char* text = models_.loading() ? "Loading model..." : "No image yet";
    const ImVec2 size = ImGui::CalcTextSize(text);
    ImGui::SetCursorPos(ImVec2((vw - size.x) / 2, (vh - size.y) / 2));
    ImGui::TextDisabled("%s", text);
  }
  if (perf_.busy) {
    // A newer image is on its way.
    const float r = 9, cx = x + w - 22, cy = y + 22;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float t = static_cast<float>(ImGui::GetTime()) * 6;
    dl->PathArcTo(ImVec2(cx, cy), r, t, t + 4.2f, 24);
    dl->PathStroke(IM_COL32(230, 230, 230, 220), false, 3);
  }
  ImGui::End();
}

}  // namespace stylescope::gui
