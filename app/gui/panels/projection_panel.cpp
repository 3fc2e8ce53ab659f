// Projection: an image into w (the official projector), watched as it improves; the result saved as
// projector.py's files and used as the current latent, so every other panel edits it.
#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "app/gui/panel_context.h"
#include "core/render/image_grid.h"
#include "core/util/user_paths.h"

namespace stylescope::gui {

namespace {

// A text field bound to a std::string.
void string_field(const char* label, const char* hint, std::string& value, float width) {
  char buffer[1024];
  std::snprintf(buffer, sizeof buffer, "%s", value.c_str());
  ImGui::SetNextItemWidth(width);
  if (ImGui::InputTextWithHint(label, hint, buffer, sizeof buffer)) value = buffer;
}

// Target beside the current projection, as one texture.
void update_preview(ProjectionPanelState& s, const ProjectionProgress& p) {
  const Image8& t = p.target;
  if (t.pixels.empty() || s.shown_version == p.version) return;
  s.shown_version = p.version;
  // Black beside the target until the first projection image arrives.
  const uint8_t* projection = p.image.size() == t.pixels.size() ? p.image.data() : nullptr;
  const auto both = tile_images({t.pixels.data(), projection}, 2, 1, t.width, t.channels);
  s.preview.upload(both.data(), t.width * 2, t.height, t.channels);
}

}  // namespace

void start_projection(PanelContext& ctx, const std::string& target) {
  ProjectionPanelState& s = *ctx.projection;
  if (!ctx.model) {
    ctx.status.fail("Projection: no model loaded");
    return;
  }
  s.target = target;
  ProjectionOptions options;
  options.steps = std::max(1, s.steps);
  options.wplus = s.wplus;
  if (ctx.model->model().config.c_dim > 0) options.class_idx = ctx.state.latent.class_idx;
  s.job.start(ctx.model->shared_model(), target, resolve_vgg16_path(s.vgg16), options);
  s.shown_version = 0;
  ctx.status.info("Projecting " + target);
}

bool use_projection(PanelContext& ctx, const std::string& dir) {
  try {
    const std::string w_file = ctx.projection->job.save(dir);
    ctx.state.latent.w_file = w_file;
    ctx.state.latent.w_index = 0;
    ctx.status.info("Saved the projection as " + w_file + "; the view shows its w");
    return true;
  } catch (const std::exception& e) {
    ctx.status.fail(std::string("Projection: ") + e.what());
    return false;
  }
}

namespace {

void draw_projection(PanelContext& ctx, ProjectionPanelState& s) {
  const float f = ctx.font_size;
  const ProjectionProgress p = s.job.progress();
  const bool running = s.job.running();
  string_field("Target", "image file (or drop one on the window)", s.target, -f * 4);
  string_field(
      "VGG16",
      resolve_vgg16_path("").empty() ? "vgg16.pt (else built-in distance)" : "vgg16.pt (from config)",
      s.vgg16, -f * 4);
  ImGui::SetNextItemWidth(f * 8);
  ImGui::InputInt("Steps", &s.steps, 100, 1000);
  s.steps = std::clamp(s.steps, 1, 100000);
  ImGui::SameLine();
  ImGui::Checkbox("w+", &s.wplus);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("One w per layer: closer fits, not the official method");
  ImGui::SameLine();
  if (!running) {
    ImGui::BeginDisabled(s.target.empty() || !ctx.model);
    if (ImGui::Button("Project")) start_projection(ctx, s.target);
    ImGui::EndDisabled();
  } else if (ImGui::Button("Stop")) {
    s.job.stop();
  }
  if (p.steps == 0) return;
  if (!p.error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.45f, 0.4f, 1.0f));
    ImGui::TextWrapped("%s", p.error.c_str());
    ImGui::PopStyleColor();
    return;
  }
  const float fraction = static_cast<float>(p.step) / static_cast<float>(std::max(1, p.steps));
  char overlay[96];
  const double eta = p.step > 0 ? p.seconds / p.step * (p.steps - p.step) : 0;
  std::snprintf(overlay, sizeof overlay, "step %d/%d  dist %.4f  %s", p.step, p.steps, p.distance,
                running ? ("ETA " + std::to_string(static_cast<int>(eta + 0.5)) + " s").c_str() : "");
  ImGui::ProgressBar(fraction, ImVec2(-1, 0), overlay);
  ImGui::TextDisabled("%s%s",
                      p.distance_kind == "lpips-vgg16" ? "LPIPS (VGG16)" : "built-in distance (no vgg16.pt)",
                      p.notes.empty() ? "" : ("; target " + p.notes.front()).c_str());
  update_preview(s, p);
  if (s.preview.texture() != 0) {
    const float w = ImGui::GetContentRegionAvail().x;
    ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(s.preview.texture())), ImVec2(w, w / 2));
    ImGui::TextDisabled("target | projection");
  }
  if (!p.ws.defined()) return;
  string_field("##projection_out", "folder for proj.png, projected_w.npz", s.out, -f * 9.5f);
  ImGui::SameLine();
  ImGui::BeginDisabled(running || s.out.empty());
  if (ImGui::Button("Use as latent")) use_projection(ctx, s.out);
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
    ImGui::SetTooltip(
        "Saves target.png, proj.png and projected_w.npz there (in a new folder -2, -3, ... when it "
        "holds a projection already) and shows that w");
}

}  // namespace

void projection_panel(PanelContext& ctx) {
  if (!ctx.projection || !panel_header(ctx, "Projection")) return;
  ImGui::PushID("projection");
  draw_projection(ctx, *ctx.projection);
  ImGui::PopID();
}

}  // namespace stylescope::gui
