#include "app/gui/panel_context.h"

#include <imgui.h>

namespace stylescope::gui {

bool panel_header(PanelContext& ctx, const char* name) {
  if (!ImGui::CollapsingHeader(name, ImGuiTreeNodeFlags_DefaultOpen)) return false;
  if (ctx.drawn_panels) ctx.drawn_panels->push_back(name);
  return true;
}

void w_file_field(const char* id, const char* hint, char* buffer, size_t size, std::string& file, int& index,
                  const char* use_label, const char* back_label, float button_width) {
  ImGui::PushID(id);
  ImGui::SetNextItemWidth(-button_width);
  ImGui::InputTextWithHint("##path", hint, buffer, size);
  ImGui::SameLine();
  if (file.empty()) {
    if (ImGui::Button(use_label, ImVec2(-1, 0)) && buffer[0]) {
      file = buffer;
      index = 0;
    }
  } else if (ImGui::Button(back_label, ImVec2(-1, 0))) {
    file.clear();
  }
  ImGui::PopID();
}

std::string class_slider_format(const PanelContext& ctx, int cls) {
  std::string format = "%d";
  if (!ctx.model) return format;
  const nlohmann::json& names = ctx.model->model().info.value("class_names", nlohmann::json());
  if (!names.is_array() || cls < 0 || cls >= static_cast<int>(names.size()) || !names[cls].is_string())
    return format;
  std::string name = names[cls].get<std::string>();
  for (size_t at = 0; (at = name.find('%', at)) != std::string::npos; at += 2) name.insert(at, "%");
  return format + ": " + name;
}

}  // namespace stylescope::gui
