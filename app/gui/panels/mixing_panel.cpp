// Style mixing: a second seed, per-layer checkboxes with coarse/middle/fine presets, strength, and the
// paper's mixing grid rendered on the worker.
#include <imgui.h>

#include <algorithm>
#include <sstream>

#include "app/gui/panel_context.h"

namespace stylescope::gui {

namespace {

void set_range(std::vector<int>& layers, int first, int last) {
  layers.clear();
  for (int l = first; l <= last; ++l) layers.push_back(l);
}

// "1,2,3" <-> vector, for the grid's seed lists.
bool seed_list_field(const char* label, std::vector<int>& seeds, float width) {
  std::ostringstream text;
  for (size_t i = 0; i < seeds.size(); ++i) text << (i ? "," : "") << seeds[i];
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s", text.str().c_str());
  ImGui::SetNextItemWidth(width);
  if (!ImGui::InputText(label, buf, sizeof buf, ImGuiInputTextFlags_EnterReturnsTrue)) return false;
  std::vector<int> parsed;
  std::stringstream in(buf);
  std::string item;
  while (std::getline(in, item, ',')) try {
      parsed.push_back(std::max(0, std::stoi(item)));
    } catch (const std::exception&) {
    }
  if (parsed.empty()) return false;
  seeds = parsed;
  return true;
}

}  // namespace

void mixing_panel(PanelContext& ctx) {
  if (!panel_header(ctx, "Style mixing")) return;
  MixingState& m = ctx.state.mixing;
  const float f = ctx.font_size;
  const int num_ws = ctx.model ? ctx.model->model().config.num_ws() : 18;
  ImGui::Checkbox("Mix", &m.enabled);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(f * 8);
  ImGui::InputInt("Mix seed", &m.seed);
  m.seed = std::max(0, m.seed);
  if (ctx.model && ctx.model->model().config.c_dim > 0) {
    // -1: the image's class; another class mixes across classes (coarse layers carry the shape).
    const int c_dim = ctx.model->model().config.c_dim;
    int cls = std::clamp(m.class_idx.value_or(-1), -1, c_dim - 1);
    ImGui::SetNextItemWidth(f * 9);
    const std::string format = cls < 0 ? "the image's" : class_slider_format(ctx, cls);
    if (ImGui::SliderInt("Mix class", &cls, -1, c_dim - 1, format.c_str()))
      m.class_idx = cls < 0 ? std::nullopt : std::optional<int>(cls);
  }
  // The second latent can also be a saved w (e.g. a projection) instead of the mixing seed.
  static char wpath[1024] = "";
  w_file_field("mixw", "or a w file (.npy / .npz)", wpath, sizeof wpath, m.w_file, m.w_index, "Use w",
               "Use seed", f * 6);
  if (!m.w_file.empty()) ImGui::TextDisabled("Mixing from %s", m.w_file.c_str());
  // The paper's split: coarse = 4-8 px (first 4 ws), middle = 16-32 px (next 4), fine = the rest.
  if (ImGui::SmallButton("Coarse")) set_range(m.layers, 0, std::min(3, num_ws - 1));
  ImGui::SameLine();
  if (ImGui::SmallButton("Middle")) set_range(m.layers, std::min(4, num_ws - 1), std::min(7, num_ws - 1));
  ImGui::SameLine();
  if (ImGui::SmallButton("Fine")) set_range(m.layers, std::min(8, num_ws - 1), num_ws - 1);
  ImGui::SameLine();
  if (ImGui::SmallButton("All")) set_range(m.layers, 0, num_ws - 1);
  ImGui::SameLine();
  if (ImGui::SmallButton("None")) m.layers.clear();
  const float box = ImGui::GetFrameHeight() + ImGui::GetStyle().ItemSpacing.x + f * 1.2f;
  const int per_row = std::max(1, static_cast<int>(ImGui::GetContentRegionAvail().x / box));
  for (int l = 0; l < num_ws; ++l) {
    bool on = std::find(m.layers.begin(), m.layers.end(), l) != m.layers.end();
    ImGui::PushID(l);
    if (l % per_row) ImGui::SameLine();
    if (ImGui::Checkbox(std::to_string(l).c_str(), &on)) {
      if (on)
        m.layers.push_back(l);
      else
        m.layers.erase(std::remove(m.layers.begin(), m.layers.end(), l), m.layers.end());
      std::sort(m.layers.begin(), m.layers.end());
      if (on) m.enabled = true;
    }
    ImGui::PopID();
  }
  ImGui::SetNextItemWidth(-f * 6);
  float strength = static_cast<float>(m.strength);
  if (ImGui::SliderFloat("Strength##mix", &strength, 0.0f, 1.0f, "%.2f")) m.strength = strength;
  ImGui::Checkbox("Mixing grid", &m.grid);
  if (m.grid) {
    seed_list_field("Rows", m.grid_rows, -f * 6);
    seed_list_field("Columns", m.grid_cols, -f * 6);
    ImGui::TextDisabled("Cell (r, c): row seed with the checked layers of column seed");
  }
}

}  // namespace stylescope::gui
