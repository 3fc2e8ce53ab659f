// Resolution: how much each resolution's ToRGB output contributes to the image on screen (the StyleGAN2
// paper's Fig. 8, for skip generators), as a live bar chart, and the view of the skip sum up to a chosen
// resolution.
#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "app/gui/panel_context.h"

namespace stylescope::gui {

namespace {

// Bars with the resolution under each and its percentage above; `highlight` is drawn in the accent colour.
void share_chart(const std::vector<int>& resolutions, const std::vector<double>& share, int highlight,
                 float f) {
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float width = ImGui::GetContentRegionAvail().x, height = f * 7;
  ImGui::Dummy(ImVec2(width, height));
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const size_t n = share.size();
  if (n == 0) return;
  const double top = std::max(*std::max_element(share.begin(), share.end()), 1e-9);
  const float slot = width / static_cast<float>(n), label_h = f * 1.3f, plot_h = height - 2 * label_h;
  const ImU32 bar = ImGui::GetColorU32(ImGuiCol_PlotHistogram),
              accent = ImGui::GetColorU32(ImGuiCol_PlotHistogramHovered),
              text = ImGui::GetColorU32(ImGuiCol_Text);
  for (size_t i = 0; i < n; ++i) {
    const float x0 = origin.x + slot * static_cast<float>(i) + slot * 0.15f, x1 = x0 + slot * 0.7f;
    const float bottom = origin.y + label_h + plot_h;
    const float y = bottom - plot_h * static_cast<float>(share[i] / top);
    draw->AddRectFilled(ImVec2(x0, y), ImVec2(x1, bottom), resolutions[i] == highlight ? accent : bar);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f%%", share[i] * 100);
    float tw = ImGui::CalcTextSize(buf).x;
    draw->AddText(ImVec2((x0 + x1 - tw) / 2, y - label_h), text, buf);
    std::snprintf(buf, sizeof buf, "%d", resolutions[i]);
    tw = ImGui::CalcTextSize(buf).x;
    draw->AddText(ImVec2((x0 + x1 - tw) / 2, bottom + f * 0.2f), text, buf);
  }
}

}  // namespace

void resolution_panel(PanelContext& ctx) {
  if (!panel_header(ctx, "Resolution")) return;
  ViewState& v = ctx.state.view;
  if (!ctx.model) {
    ImGui::TextDisabled("No model loaded.");
    return;
  }
  const GeneratorConfig& cfg = ctx.model->model().config;
  if (cfg.architecture != Architecture::Skip) {
    ImGui::TextWrapped("Resolution usage needs a 'skip' generator; this one is '%s'.",
                       architecture_name(cfg.architecture));
    return;
  }
  ImGui::Checkbox("Measure each resolution's share", &v.resolution_usage);
  if (!v.resolution_usage) {
    ImGui::TextDisabled("The standard deviation of each ToRGB output over the sum (the paper's Fig. 8).");
    return;
  }
  const RenderedFrame* frame = ctx.frame;
  if (frame && frame->request.resolution_usage && !frame->resolution_share.empty())
    share_chart(frame->resolutions, frame->resolution_share, v.skip_sum_resolution, ctx.font_size);
  else
    ImGui::TextDisabled(v.layer.empty() && !ctx.state.mixing.grid ? "Measuring..."
                                                                  : "Shown for the image view only.");
  // 0 = the image; else the skip sum up to that resolution.
  std::vector<int> choices{0};
  for (int r = 4; r <= cfg.img_resolution; r *= 2) choices.push_back(r);
  int index = 0;
  for (size_t i = 0; i < choices.size(); ++i)
    if (choices[i] == v.skip_sum_resolution) index = static_cast<int>(i);
  const std::string label =
      index == 0 ? "image"
                 : "sum up to " + std::to_string(choices[index]) + "x" + std::to_string(choices[index]);
  ImGui::SetNextItemWidth(-ctx.font_size * 6);
  if (ImGui::SliderInt("View##skip_sum", &index, 0, static_cast<int>(choices.size()) - 1, label.c_str()))
    v.skip_sum_resolution = choices[static_cast<size_t>(index)];
}

}  // namespace stylescope::gui
