// Truncation and noise: psi, cutoff layer, noise mode, noise seed and strength.
#include <imgui.h>

#include <algorithm>

#include "app/gui/panel_context.h"

namespace stylescope::gui {

void truncation_panel(PanelContext& ctx) {
  if (!panel_header(ctx, "Truncation and noise")) return;
  TruncationState& t = ctx.state.truncation;
  NoiseState& n = ctx.state.noise;
  const float f = ctx.font_size;
  const int num_ws = ctx.model ? ctx.model->model().config.num_ws() : 18;
  ImGui::SetNextItemWidth(-f * 6);
  float psi = static_cast<float>(t.psi);
  if (ImGui::SliderFloat("Psi", &psi, -1.0f, 2.0f, "%.2f")) t.psi = psi;
  bool use_cutoff = t.cutoff.has_value();
  if (ImGui::Checkbox("Cutoff", &use_cutoff))
    t.cutoff = use_cutoff ? std::optional<int>(num_ws / 2) : std::nullopt;
  if (t.cutoff) {
    ImGui::SameLine();
    int cutoff = *t.cutoff;
    ImGui::SetNextItemWidth(-f * 6);
    if (ImGui::SliderInt("##cutoff", &cutoff, 0, num_ws, "layers < %d")) t.cutoff = cutoff;
  }
  if (ctx.model && ctx.model->model().config.c_dim > 0) {
    // The official truncation pulls every class towards one average w, so at low psi the class fades.
    ImGui::Checkbox("Towards the class's mean w", &t.class_center);
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip(
          "Off: the w_avg tracked in training, over all classes (the official code).\n"
          "On: the mean w of the selected class (10,000 samples), so low psi keeps the class.");
  }
  const char* modes[] = {"const", "random", "none"};
  int mode = static_cast<int>(std::find(std::begin(modes), std::end(modes), n.mode) - std::begin(modes));
  ImGui::SetNextItemWidth(-f * 6);
  if (ImGui::Combo("Noise", &mode, modes, 3)) n.mode = modes[mode];
  if (n.mode == "random") {
    ImGui::SetNextItemWidth(-f * 6);
    ImGui::InputInt("Noise seed", &n.seed);
  }
  if (n.mode != "none") {
    ImGui::SetNextItemWidth(-f * 6);
    float strength = static_cast<float>(n.strength);
    if (ImGui::SliderFloat("Strength", &strength, 0.0f, 3.0f, "%.2f")) n.strength = strength;
  }
}

}  // namespace stylescope::gui
