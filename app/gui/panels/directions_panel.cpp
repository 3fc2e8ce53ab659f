// Directions: compute SeFa or PCA for the loaded model on a worker (progress, cancel) or open a set, then one
// slider per direction (α), with its editable name (saved into the set's .json), layer range and eigenvalue /
// explained variance, and a strip of previews (−4 … +4) rendered on a worker; search, sort and reset. The
// αs are part of ExplorerState, so sessions keep them and renders pick them up like any other change.
#include <imgui.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <memory>

#include "app/gui/direction_previews.h"
#include "app/gui/directions_job.h"
#include "app/gui/gl_image.h"
#include "app/gui/panel_context.h"
#include "core/explore/direction_strip.h"
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
// `reloads` counts the reads, so the name fields know when to refill.
const DirectionSet* loaded_set(PanelContext& ctx, int& reloads) {
  static std::string key;
  static std::optional<DirectionSet> set;
  const std::string& file = ctx.state.directions.file;
  if (file.empty() || !ctx.model) return nullptr;
  std::error_code ec;
  const auto stamp = std::filesystem::last_write_time(file, ec).time_since_epoch().count();
  const std::string now = file + "@" + std::to_string(ec ? 0 : stamp) + "@" + ctx.model->model().path;
  if (now != key) {
    key = now;
    ++reloads;
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

// Display order: as computed (SeFa and PCA sort by eigenvalue / variance), by name, or the moved ones first.
std::vector<int> display_order(const DirectionSet& set, const std::map<int, double>& alphas, int sort) {
  std::vector<int> order(static_cast<size_t>(set.size()));
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  if (sort == 1)
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
      const std::string &na = set.directions[a].name, &nb = set.directions[b].name;
      return na.empty() != nb.empty() ? !na.empty() : na < nb;  // named ones first, alphabetically
    });
  if (sort == 2)
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
      const double ma = alphas.count(a) ? std::abs(alphas.at(a)) : 0,
                   mb = alphas.count(b) ? std::abs(alphas.at(b)) : 0;
      return ma > mb;
    });
  return order;
}

std::string strength_text(const Direction& d) {
  char text[64];
  if (d.explained_variance)
    std::snprintf(text, sizeof text, "L%s %.1f%%", layer_text(d.layers).c_str(), *d.explained_variance * 100);
  else if (d.eigenvalue)
    std::snprintf(text, sizeof text, "L%s ev %.3g", layer_text(d.layers).c_str(), *d.eigenvalue);
  else
    std::snprintf(text, sizeof text, "L%s", layer_text(d.layers).c_str());
  return text;
}

// Writes the set with direction `index` renamed (both files, atomically); the panel reloads it.
void save_name(PanelContext& ctx, const DirectionSet& set, int index, const std::string& name) {
  DirectionSet renamed = set;
  renamed.directions[index].name = name;
  try {
    save_direction_set(ctx.state.directions.file, renamed);
    ctx.status.info("Named d" + std::to_string(index) + " '" + name + "' in " +
                    direction_sidecar_path(ctx.state.directions.file));
  } catch (const std::exception& e) {
    ctx.status.fail(e.what());
  }
}

// The strip of direction `index` as a texture (uploaded when a new one arrives); false before the first.
bool draw_strip(DirectionPreviews& previews, int index, float height) {
  // Leaked on purpose: textures must not be freed after the GL context is gone at exit.
  static auto* textures = new std::map<int, std::pair<uint64_t, std::unique_ptr<GlImage>>>();
  const std::optional<DirectionPreviews::Strip> strip = previews.strip(index);
  if (!strip) return false;
  auto& [version, image] = (*textures)[index];
  if (!image) image = std::make_unique<GlImage>();
  if (version != strip->version) {
    const RenderedFrame& f = *strip->frame;
    image->upload(f.pixels.data(), f.width, f.height, f.channels);
    version = strip->version;
  }
  const float width = height * static_cast<float>(image->width()) / std::max(1, image->height());
  ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(image->texture())), ImVec2(width, height),
               ImVec2(0, 0), ImVec2(1, 1), ImVec4(1, 1, 1, strip->current ? 1.0f : 0.6f));
  if (ImGui::IsItemHovered()) {
    std::string alphas;
    for (double a : direction_strip_alphas()) {
      char text[16];
      std::snprintf(text, sizeof text, "%+g", a);
      alphas += (alphas.empty() ? "" : ", ") + std::string(text);
    }
    ImGui::SetTooltip("d%d at alpha %s (the other directions as they are)", index, alphas.c_str());
  }
  return true;
}

void direction_list(PanelContext& ctx, const DirectionSet& set, int reloads) {
  const float f = ctx.font_size;
  auto& alphas = ctx.state.directions.alphas;
  ImGui::TextDisabled("%s: %lld directions, alpha in %s", set.method.c_str(),
                      static_cast<long long>(set.size()), set.scale_unit.c_str());
  static char filter[64] = "";
  static int sort = 0;
  static bool show_previews = true;
  ImGui::SetNextItemWidth(-f * 4);
  ImGui::InputTextWithHint("##dfilter", "search names", filter, sizeof filter);
  ImGui::SameLine();
  if (ImGui::Button("Reset", ImVec2(-1, 0))) alphas.clear();
  const char* sorts[] = {"as computed", "by name", "moved first"};
  ImGui::SetNextItemWidth(f * 8);
  ImGui::Combo("##dsort", &sort, sorts, 3);
  ImGui::SameLine();
  ImGui::Checkbox("Previews", &show_previews);

  // Name fields, refilled whenever the set is (re)read.
  static int filled_for = -1;
  static std::vector<std::array<char, 64>> names;
  if (filled_for != reloads) {
    filled_for = reloads;
    names.assign(static_cast<size_t>(set.size()), {});
    for (int64_t i = 0; i < set.size(); ++i)
      std::snprintf(names[i].data(), names[i].size(), "%s", set.directions[i].name.c_str());
  }

  static DirectionPreviews previews;
  std::vector<int> shown;
  bool drew_strip = false;
  ImGui::BeginChild("##dlist", ImVec2(0, f * (show_previews ? 22 : 10)), true);
  for (int i : display_order(set, alphas, sort)) {
    const Direction& d = set.directions[i];
    const std::string label = "d" + std::to_string(i) + (d.name.empty() ? "" : " " + d.name);
    if (filter[0] && label.find(filter) == std::string::npos) continue;
    ImGui::PushID(i);
    float alpha = alphas.count(i) ? static_cast<float>(alphas[i]) : 0.0f;
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.45f);
    if (ImGui::SliderFloat("##alpha", &alpha, -5, 5, "%+.2f")) {
      if (alpha == 0)
        alphas.erase(i);
      else
        alphas[i] = alpha;
    }
    if (ImGui::IsItemClicked(ImGuiMouseButton_Right)) alphas.erase(i);
    ImGui::SameLine();
    ImGui::Text("d%d", i);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(f * 6);
    ImGui::InputTextWithHint("##name", "name", names[i].data(), names[i].size());
    if (ImGui::IsItemDeactivatedAfterEdit() && d.name != names[i].data())
      save_name(ctx, set, i, names[i].data());
    ImGui::SameLine();
    ImGui::TextDisabled("%s", strength_text(d).c_str());
    if (show_previews && ctx.model) {
      // Only the rows on screen ask for strips (a long set does not render them all).
      if (ImGui::IsRectVisible(ImVec2(ImGui::GetContentRegionAvail().x, f * 3))) shown.push_back(i);
      if (draw_strip(previews, i, f * 3))
        drew_strip = true;
      else
        ImGui::Dummy(ImVec2(f * 15, f * 3));
    }
    ImGui::PopID();
  }
  ImGui::EndChild();
  if (show_previews && ctx.model) {
    previews.want(ctx.models.current(), ctx.models.base_options(),
                  make_render_request(ctx.state, ctx.models.generation()), shown);
    if (drew_strip && ctx.drawn_panels) ctx.drawn_panels->push_back("Directions previews");
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
  static int reloads = 0;
  const DirectionSet* set = loaded_set(ctx, reloads);
  if (!set) return;
  direction_list(ctx, *set, reloads);
}

}  // namespace stylescope::gui
