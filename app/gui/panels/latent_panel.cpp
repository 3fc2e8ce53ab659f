// Latent panel: seed (field, +/-, arrows), the seed-space drag pad, random, animate, class, a saved w, and
// direct w editing over a searchable list of dimensions.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

#include "app/gui/panel_context.h"

namespace stylescope::gui {

namespace {

// A square pad: dragging moves through seed space (x: +1 seed, y: +100 seeds per unit) continuously.
void seed_pad(PanelContext& ctx, float size) {
  LatentState& l = ctx.state.latent;
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("##pad", ImVec2(size, size));
  if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 0.0f)) {
    const ImVec2 d = ImGui::GetIO().MouseDelta;
    l.x += d.x / size * 2;
    l.y += d.y / size * 2;
  }
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p1(p0.x + size, p0.y + size);
  dl->AddRectFilled(p0, p1, IM_COL32(32, 34, 40, 255), 4);
  // Grid lines at whole seeds around the position; the dot sits at the fractional position.
  const float cell = size / 2;
  const float fx = static_cast<float>(l.x - std::floor(l.x)), fy = static_cast<float>(l.y - std::floor(l.y));
  for (int i = -1; i <= 2; ++i) {
    const float gx = p0.x + size / 2 + (i - fx) * cell, gy = p0.y + size / 2 + (i - fy) * cell;
    if (gx >= p0.x && gx <= p1.x) dl->AddLine(ImVec2(gx, p0.y), ImVec2(gx, p1.y), IM_COL32(70, 74, 86, 255));
    if (gy >= p0.y && gy <= p1.y) dl->AddLine(ImVec2(p0.x, gy), ImVec2(p1.x, gy), IM_COL32(70, 74, 86, 255));
  }
  dl->AddCircleFilled(ImVec2(p0.x + size / 2, p0.y + size / 2), 5, IM_COL32(120, 170, 255, 255));
  dl->AddRect(p0, p1, IM_COL32(80, 84, 96, 255), 4);
}

void w_editor(PanelContext& ctx) {
  EditState& e = ctx.state.edits;
  const int w_dim = ctx.model->model().config.w_dim, num_ws = ctx.model->model().config.num_ws();
  static char filter[32] = "";
  ImGui::SetNextItemWidth(ctx.font_size * 7);
  ImGui::InputTextWithHint("##wfilter", "dimension", filter, sizeof filter);
  ImGui::SameLine();
  int range[2] = {e.first_layer, e.last_layer < 0 ? num_ws - 1 : e.last_layer};
  ImGui::SetNextItemWidth(-1);
  if (ImGui::DragInt2("##wlayers", range, 0.1f, 0, num_ws - 1, "layer %d")) {
    e.first_layer = std::clamp(range[0], 0, num_ws - 1);
    e.last_layer = std::clamp(std::max(range[1], e.first_layer), 0, num_ws - 1);
    if (e.first_layer == 0 && e.last_layer == num_ws - 1) e.last_layer = -1;
  }
  std::vector<int> dims;
  for (int d = 0; d < w_dim; ++d)
    if (!filter[0] || std::to_string(d).find(filter) != std::string::npos) dims.push_back(d);
  const auto& low = ctx.models.w_low();
  const auto& high = ctx.models.w_high();
  ImGui::BeginChild("##wdims", ImVec2(0, ctx.font_size * 9), true);
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(dims.size()));
  while (clipper.Step())
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const int d = dims[i];
      const float lo = d < static_cast<int>(low.size()) ? low[d] : -1,
                  hi = d < static_cast<int>(high.size()) ? high[d] : 1;
      const float span = std::max(0.1f, hi - lo);
      auto it = e.offsets.find(d);
      float value = it == e.offsets.end() ? 0.0f : static_cast<float>(it->second);
      ImGui::PushID(d);
      ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.62f);
      char label[32];
      std::snprintf(label, sizeof label, "w%d %%+.2f", d);
      if (ImGui::SliderFloat("##w", &value, -span, span, label)) e.offsets[d] = value;
      ImGui::SameLine();
      ImGui::TextDisabled("[%.1f, %.1f]", lo, hi);
      ImGui::PopID();
    }
  ImGui::EndChild();
  if (ImGui::Button("Reset w edits")) e.offsets.clear();
}

}  // namespace

void latent_panel(PanelContext& ctx) {
  if (!panel_header(ctx, "Latent")) return;
  LatentState& l = ctx.state.latent;
  const float f = ctx.font_size;
  int seed = static_cast<int>(ctx.state.seed());
  ImGui::SetNextItemWidth(f * 9);
  if (ImGui::InputInt("Seed", &seed, 1, 100)) ctx.state.set_seed(static_cast<uint32_t>(std::max(0, seed)));
  ImGui::SameLine();
  if (ImGui::Button("Random")) ctx.state.set_seed(std::random_device{}() % 100000);
  ImGui::Text("Position x %.2f  y %.2f", l.x, l.y);
  seed_pad(ctx, std::min(f * 8, ImGui::GetContentRegionAvail().x * 0.45f));
  ImGui::SameLine();
  ImGui::BeginGroup();
  ImGui::Checkbox("Animate", &l.animate);
  ImGui::SetNextItemWidth(f * 8);
  float speed = static_cast<float>(l.speed);
  if (ImGui::SliderFloat("##speed", &speed, -5, 5, "speed %.2f")) l.speed = speed;
  if (ImGui::Button("Snap")) {
    l.x = std::round(l.x);
    l.y = std::round(l.y);
  }
  ImGui::SameLine();
  if (ImGui::Button("Reset")) {
    l.x = l.y = 0;
    l.animate = false;
  }
  ImGui::EndGroup();
  if (!ctx.model) return;
  const GeneratorConfig& cfg = ctx.model->model().config;
  if (cfg.c_dim > 0) {
    int cls = std::clamp(l.class_idx.value_or(0), 0, cfg.c_dim - 1);
    ImGui::SetNextItemWidth(f * 9);
    if (ImGui::SliderInt("Class", &cls, 0, cfg.c_dim - 1, class_slider_format(ctx, cls).c_str()))
      l.class_idx = cls;
  }
  static char wpath[1024] = "";
  w_file_field("wfile", "w file (.npy / projected_w.npz)", wpath, sizeof wpath, l.w_file, l.w_index, "Load w",
               "Seed", f * 4);
  if (!l.w_file.empty()) {
    ImGui::TextDisabled("Showing %s", l.w_file.c_str());
    ImGui::SetNextItemWidth(f * 6);
    ImGui::InputInt("w index", &l.w_index);
    l.w_index = std::max(0, l.w_index);
  }
  if (ImGui::TreeNode("Edit w directly")) {
    w_editor(ctx);
    ImGui::TreePop();
  }
}

}  // namespace stylescope::gui
