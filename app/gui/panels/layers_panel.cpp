// Layers: every synthesis layer with its shape and dtype; picking one shows its activations instead of the
// image (one channel through the colormap or three as RGB, normalized, brightness in dB, or the spectrum).
#include <imgui.h>

#include <algorithm>
#include <string>

#include "app/gui/panel_context.h"

namespace stylescope::gui {

namespace {

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s;
  for (size_t i = 1; i < shape.size(); ++i) s += (i > 1 ? "x" : "") + std::to_string(shape[i]);
  return s;
}

}  // namespace

void layers_panel(PanelContext& ctx) {
  if (!panel_header(ctx, "Layers")) return;
  ViewState& v = ctx.state.view;
  static std::vector<LayerInfo> layers;  // kept from the last image frame (grids carry none)
  if (ctx.frame && !ctx.frame->layers.empty()) layers = ctx.frame->layers;
  ImGui::BeginChild("##layers", ImVec2(0, ctx.font_size * 9.5f), true);
  if (ImGui::Selectable("Image (output)", v.layer.empty())) v.layer.clear();
  int channels = 0;
  if (ImGui::BeginTable("##layer_table", 3, ImGuiTableFlags_SizingStretchProp)) {
    for (const auto& l : layers) {
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      const bool selected = v.layer == l.name;
      if (ImGui::Selectable(l.name.c_str(), selected, ImGuiSelectableFlags_SpanAllColumns)) v.layer = l.name;
      ImGui::TableSetColumnIndex(1);
      ImGui::TextDisabled("%s", shape_text(l.shape).c_str());
      ImGui::TableSetColumnIndex(2);
      ImGui::TextDisabled("%s", l.dtype == "Float" ? "fp32" : l.dtype == "Half" ? "fp16" : l.dtype.c_str());
      if (selected && l.shape.size() > 1) channels = static_cast<int>(l.shape[1]);
    }
    ImGui::EndTable();
  }
  ImGui::EndChild();
  if (v.layer.empty()) return;
  const float f = ctx.font_size;
  ImGui::SetNextItemWidth(-f * 6);
  ImGui::SliderInt("Channel", &v.channel, 0, std::max(0, channels - 1));
  ImGui::Checkbox("RGB", &v.rgb);
  ImGui::SameLine();
  ImGui::Checkbox("Normalize", &v.normalize);
  ImGui::SameLine();
  ImGui::Checkbox("FFT", &v.fft);
  ImGui::SetNextItemWidth(-f * 6);
  float db = static_cast<float>(v.brightness_db);
  if (ImGui::SliderFloat("Brightness", &db, -40, 40, "%+.0f dB")) v.brightness_db = db;
}

}  // namespace stylescope::gui
