// Model panel: open a .pkl / .safetensors (path field, recent files, drop on the window) and its summary.
#include <imgui.h>

#include <cstring>

#include "app/gui/panel_context.h"
#include "core/model/generator.h"

namespace stylescope::gui {

namespace {

void summary_row(const char* label, const std::string& value) {
  ImGui::TableNextRow();
  ImGui::TableSetColumnIndex(0);
  ImGui::TextDisabled("%s", label);
  ImGui::TableSetColumnIndex(1);
  ImGui::TextUnformatted(value.c_str());
}

}  // namespace

void model_panel(PanelContext& ctx) {
  if (!panel_header(ctx, "Model")) return;
  static char path[2048] = "";
  static std::string synced;
  if (synced != ctx.state.model) {  // follow loads started elsewhere (flags, session, drop)
    std::snprintf(path, sizeof path, "%s", ctx.state.model.c_str());
    synced = ctx.state.model;
  }
  ImGui::SetNextItemWidth(-ctx.font_size * 4);
  const bool enter = ImGui::InputTextWithHint("##model_path", ".pkl or .safetensors", path, sizeof path,
                                              ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine();
  if ((ImGui::Button("Open", ImVec2(-1, 0)) || enter) && path[0]) ctx.open_model(path);
  const auto& recent = ctx.models.recent();
  if (!recent.empty()) {
    ImGui::SetNextItemWidth(-1);
    if (ImGui::BeginCombo("##recent", "Recent files...")) {
      for (const auto& r : recent)
        if (ImGui::Selectable(r.c_str())) ctx.open_model(r);
      ImGui::EndCombo();
    }
  }
  if (ctx.models.loading()) {
    static const char spinner[] = "|/-\\";
    ImGui::Text("%c Loading %s  (%.1f s)", spinner[static_cast<int>(ImGui::GetTime() * 8) % 4],
                ctx.models.loading_path().c_str(), ctx.models.loading_seconds());
  }
  if (!ctx.model) {
    ImGui::TextDisabled("No model loaded. Drop a file on the window.");
    return;
  }
  const LoadedModel& m = ctx.model->model();
  const GeneratorConfig& c = m.config;
  static const FrameRenderer* counted = nullptr;
  static int64_t params = 0;
  if (counted != ctx.model) {
    params = parameter_count(*m.G.ptr());
    counted = ctx.model;
  }
  if (ImGui::BeginTable("##summary", 2, ImGuiTableFlags_SizingFixedFit)) {
    summary_row("Image", std::to_string(c.img_resolution) + "x" + std::to_string(c.img_resolution) + ", " +
                             std::to_string(c.img_channels) +
                             (c.img_channels == 1 ? " channel" : " channels"));
    summary_row("Architecture",
                std::string(architecture_name(c.architecture)) + ", " + std::to_string(c.num_ws()) + " ws");
    summary_row("Latents", "z " + std::to_string(c.z_dim) + ", w " + std::to_string(c.w_dim) +
                               (c.c_dim ? ", " + std::to_string(c.c_dim) + " classes" : ""));
    summary_row("Mapping", std::to_string(c.mapping.num_layers) + " layers");
    summary_row("Parameters", std::to_string(params / 1000) + " k");
    summary_row("File", m.format + " (" + m.generator_source + ")");
    ImGui::EndTable();
  }
}

}  // namespace stylescope::gui
