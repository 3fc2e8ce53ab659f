// Directions: compute SeFa or PCA for the loaded model on a worker (progress, cancel) or open a set, then one
// slider per direction (α), with its name, layer range and eigenvalue / explained variance; a search box
// and reset. The αs are part of ExplorerState, so sessions keep them and renders pick them up like any
// other change.
#include <imgui.h>

#include <algorithm>
#include <filesystem>

#include "app/gui/directions_job.h"
#include "app/gui/panel_context.h"
#include "core/latent/direction_file.h"

namespace stylescope::gui {

namespace {

std::string layer_text(const std::vector<int>& layers) {
  if (layers.empty()) return "-";
  bool contiguous = true;
  for (size_t i = 1; i < layers.size(); ++i) contiguous &= layers[i] == layers[i - 1] + 1;
  if (contiguous) return std::to_string(layers.front()) + "-" + std::to_string(layers.back());
  std::string s;
  for (int l : layers) s += (s.empty() ? "" : ",") + std::to_string(l);
  return s;
}

// The set the state names, read once per file version (panels run on the UI thread; sets are small).
const DirectionSet* loaded_set(PanelContext& ctx) {
  static std::string key;
  static std::optional<DirectionSet> set;
  const std::string& file = ctx.state.directions.file;
  if (file.empty() || !ctx.model) return nullptr;
  std::error_code ec;
  const auto stamp = std::filesystem::last_write_time(file, ec).time_since_epoch().count();
  const std::string now = file + "@" + std::to_string(ec ? 0 : stamp) + "@" + ctx.model->model().path;
  if (now != key) {
    key = now;
    set.reset();
    try {
      const GeneratorConfig& cfg = ctx.model->model().config;
      set = load_direction_set(file, cfg.w_dim, cfg.num_ws());
    } catch (const std::exception& e) {
      ctx.status.fail(e.what());
    }
  }
  return set ? &*set : nullptr;
}

void compute_controls(PanelContext& ctx, DirectionsJob& job) {
  static int method = 0, k = 16, samples = 100000;
  static char out[1024] = "dirs.npy";
  const float f = ctx.font_size;
  const char* methods[] = {"SeFa", "PCA"};
  ImGui::SetNextItemWidth(f * 5);
  ImGui::Combo("##method", &method, methods, 2);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(f * 4);
  ImGui::InputInt("k", &k, 0);
  k = std::clamp(k, 1, ctx.model ? ctx.model->model().config.w_dim : 512);
  if (method == 1) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(-1);
    ImGui::InputInt("##samples", &samples, 0);
    samples = std::max(k + 1, samples);
  }
  ImGui::SetNextItemWidth(-f * 6);
  ImGui::InputText("##out", out, sizeof out);
  ImGui::SameLine();
  if (job.running()) {
    if (ImGui::Button("Cancel", ImVec2(-1, 0))) job.cancel();
    ImGui::ProgressBar(job.progress(), ImVec2(-1, 0));
  } else if (ImGui::Button("Compute", ImVec2(-1, 0)) && ctx.model) {
    job.start(ctx.models.current(), method == 1 ? "pca" : "sefa", k, samples, ctx.state.latent.class_idx,
              out);
    ctx.status.info(std::string("Computing ") + methods[method] + " directions...");
  }
}

}  // namespace

void directions_panel(PanelContext& ctx) {
  if (!panel_header(ctx, "Directions")) return;
  static DirectionsJob job;
  std::string written, error;
  if (job.take_result(written, error)) {
    if (error.empty()) {
      ctx.state.directions.file = written;
      ctx.state.directions.alphas.clear();
      ctx.status.info("Wrote " + written);
    } else {
      ctx.status.fail(error);
    }
  }
  compute_controls(ctx, job);
  static char path[1024] = "";
  ImGui::SetNextItemWidth(-ctx.font_size * 6);
  ImGui::InputTextWithHint("##dirs", "dirs.npy", path, sizeof path);
  ImGui::SameLine();
  if (ImGui::Button("Open##dirs", ImVec2(-1, 0)) && path[0]) {
    ctx.state.directions.file = path;
    ctx.state.directions.alphas.clear();
  }
  const DirectionSet* set = loaded_set(ctx);
  if (!set) return;
  ImGui::TextDisabled("%s: %lld directions, alpha in %s", set->method.c_str(),
                      static_cast<long long>(set->size()), set->scale_unit.c_str());
  static char filter[64] = "";
  ImGui::SetNextItemWidth(-ctx.font_size * 4);
  ImGui::InputTextWithHint("##dfilter", "search names", filter, sizeof filter);
  ImGui::SameLine();
  if (ImGui::Button("Reset", ImVec2(-1, 0))) ctx.state.directions.alphas.clear();
  ImGui::BeginChild("##dlist", ImVec2(0, ctx.font_size * 10), true);
  for (int64_t i = 0; i < set->size(); ++i) {
    const Direction& d = set->directions[i];
    const std::string label = "d" + std::to_string(i) + (d.name.empty() ? "" : " " + d.name);
    if (filter[0] && label.find(filter) == std::string::npos) continue;
    ImGui::PushID(static_cast<int>(i));
    auto& alphas = ctx.state.directions.alphas;
    float alpha = alphas.count(static_cast<int>(i)) ? static_cast<float>(alphas[static_cast<int>(i)]) : 0.0f;
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.5f);
    if (ImGui::SliderFloat("##alpha", &alpha, -5, 5, "%+.2f")) alphas[static_cast<int>(i)] = alpha;
    if (ImGui::IsItemClicked(ImGuiMouseButton_Right)) alphas.erase(static_cast<int>(i));
    ImGui::SameLine();
    ImGui::TextUnformatted(label.c_str());
    ImGui::SameLine();
    if (d.explained_variance)
      ImGui::TextDisabled("L%s %.1f%%", layer_text(d.layers).c_str(), *d.explained_variance * 100);
    else if (d.eigenvalue)
      ImGui::TextDisabled("L%s ev %.3g", layer_text(d.layers).c_str(), *d.eigenvalue);
    else
      ImGui::TextDisabled("L%s", layer_text(d.layers).c_str());
    ImGui::PopID();
  }
  ImGui::EndChild();
}

}  // namespace stylescope::gui
