// Fine-tune: train the model on screen (or a fresh one) on a folder or dataset zip, with the official
// loop on its own thread: hyper-parameters, start/pause/stop, loss curves, a live fixed-seed grid from
// G_ema, progress with kimg and ETA, and "follow", which shows the model being trained in the main view.
#include <imgui.h>

#include <cmath>
#include <cstdio>
#include <future>
#include <vector>

#include "app/gui/gl_image.h"
#include "app/gui/panel_context.h"
#include "core/train/dataset.h"

namespace stylescope::gui {

namespace {

struct Form {
  char data[1024] = "";
  char out[1024] = "runs/finetune";
  bool from_model = true;
  int cfg = 0;
  float kimg = 10, gamma = 0, glr = 0.0025f, dlr = 0.0025f, tick = 1, ms_weight = 0;
  int batch = 8, freezed = 0, snap = 5;
  bool set_gamma = false, mirror = false, follow = true;
  std::future<std::string> check;
  std::string data_summary;
};

std::string describe(const train::DatasetInfo& info) {
  char text[256];
  std::snprintf(text, sizeof text, "%lld usable images, %dx%d, %d channel%s%s",
                static_cast<long long>(info.raw_size), info.resolution, info.resolution, info.channels,
                info.channels == 1 ? "" : "s",
                info.label_dim ? (", " + std::to_string(info.label_dim) + " classes").c_str() : "");
  std::string out = text;
  if (info.converted) out += "; " + std::to_string(info.converted) + " converted";
  if (info.unreadable) out += "; " + std::to_string(info.unreadable) + " unreadable";
  return out;
}

std::string duration(double seconds) {
  char text[32];
  const long s = std::lround(std::max(0.0, seconds));
  if (s >= 3600)
    std::snprintf(text, sizeof text, "%ldh%02ldm", s / 3600, (s / 60) % 60);
  else
    std::snprintf(text, sizeof text, "%ldm%02lds", s / 60, s % 60);
  return text;
}

void plot(const train::TrainerHistory& h, const char* stat, const char* label, float height) {
  auto it = h.series.find(stat);
  if (it == h.series.end()) return;
  std::vector<float> values;
  for (double v : it->second)
    if (std::isfinite(v)) values.push_back(static_cast<float>(v));
  if (values.empty()) return;
  char overlay[64];
  std::snprintf(overlay, sizeof overlay, "%s %.4g", label, values.back());
  ImGui::PlotLines((std::string("##") + stat).c_str(), values.data(), static_cast<int>(values.size()), 0,
                   overlay, FLT_MAX, FLT_MAX, ImVec2(-1, height));
}

void form_fields(PanelContext& ctx, Form& f) {
  const float label_w = ctx.font_size * 5;
  const float check_w =
      ImGui::CalcTextSize("Check").x + ImGui::GetStyle().FramePadding.x * 2 + ImGui::GetStyle().ItemSpacing.x;
  ImGui::SetNextItemWidth(-(label_w + check_w));
  if (ImGui::InputTextWithHint("Data", "folder of images or dataset zip", f.data, sizeof f.data))
    f.data_summary.clear();
  ImGui::SameLine();
  if (ImGui::SmallButton("Check") && f.data[0] && !f.check.valid()) {
    const std::string path = f.data;
    f.check = std::async(std::launch::async, [path] {
      try {
        return describe(train::ImageDataset::open(path)->info());
      } catch (const std::exception& e) {
        return std::string("error: ") + e.what();
      }
    });
  }
  if (f.check.valid() && f.check.wait_for(std::chrono::seconds(0)) == std::future_status::ready)
    f.data_summary = f.check.get();
  if (f.check.valid())
    ImGui::TextDisabled("checking ...");
  else if (!f.data_summary.empty())
    ImGui::TextWrapped("%s", f.data_summary.c_str());
  ImGui::SetNextItemWidth(-label_w);
  ImGui::InputText("Run folder", f.out, sizeof f.out);
  ImGui::Checkbox("Start from the model on screen", &f.from_model);
  static const char* kCfgs[] = {"auto", "stylegan2", "paper256", "paper512", "paper1024", "cifar"};
  const float half = ctx.font_size * 6;
  ImGui::SetNextItemWidth(half);
  ImGui::Combo("cfg", &f.cfg, kCfgs, IM_ARRAYSIZE(kCfgs));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(half);
  ImGui::InputFloat("kimg", &f.kimg, 0, 0, "%.3g");
  ImGui::SetNextItemWidth(half);
  ImGui::InputInt("batch", &f.batch, 0);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(half);
  ImGui::InputInt("FreezeD", &f.freezed, 0);
  ImGui::SetNextItemWidth(half);
  ImGui::InputFloat("G lr", &f.glr, 0, 0, "%.5f");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(half);
  ImGui::InputFloat("D lr", &f.dlr, 0, 0, "%.5f");
  ImGui::Checkbox("gamma", &f.set_gamma);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(half);
  ImGui::BeginDisabled(!f.set_gamma);
  ImGui::InputFloat("##gamma", &f.gamma, 0, 0, "%.4g");
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::Checkbox("mirror", &f.mirror);
  ImGui::SetNextItemWidth(half);
  ImGui::InputFloat("mode seeking", &f.ms_weight, 0, 0, "%.3g");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Weight of the mode-seeking term (not official; 0: off): against one image per class");
  ImGui::SetNextItemWidth(half);
  ImGui::InputFloat("tick kimg", &f.tick, 0, 0, "%.3g");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(half);
  ImGui::InputInt("snap", &f.snap, 0);
}

train::TrainingOptions options_of(const PanelContext& ctx, const Form& f) {
  static const char* kCfgs[] = {"auto", "stylegan2", "paper256", "paper512", "paper1024", "cifar"};
  train::TrainingOptions o;
  o.data = f.data;
  o.out = f.out;
  if (f.from_model && ctx.model) o.resume = ctx.model->model().path;
  o.cfg = kCfgs[f.cfg];
  o.kimg = f.kimg;
  o.batch = f.batch;
  o.freezed = f.freezed;
  o.glr = f.glr;
  o.dlr = f.dlr;
  if (f.set_gamma) o.gamma = f.gamma;
  if (f.ms_weight != 0) o.ms_weight = f.ms_weight;
  o.mirror = f.mirror;
  o.tick = f.tick;
  o.snap = f.snap;
  return o;
}

// The form shows what a run was started with (it may come from a script).
void show_options(Form& f, const train::TrainingOptions& o) {
  std::snprintf(f.data, sizeof f.data, "%s", o.data.c_str());
  std::snprintf(f.out, sizeof f.out, "%s", o.out.c_str());
  f.from_model = !o.resume.empty();
  static const char* kCfgs[] = {"auto", "stylegan2", "paper256", "paper512", "paper1024", "cifar"};
  for (int i = 0; i < IM_ARRAYSIZE(kCfgs); ++i)
    if (o.cfg == kCfgs[i]) f.cfg = i;
  if (o.kimg) f.kimg = static_cast<float>(*o.kimg);
  if (o.batch) f.batch = *o.batch;
  if (o.glr) f.glr = static_cast<float>(*o.glr);
  if (o.dlr) f.dlr = static_cast<float>(*o.dlr);
  f.set_gamma = o.gamma.has_value();
  if (o.gamma) f.gamma = static_cast<float>(*o.gamma);
  f.freezed = o.freezed;
  f.ms_weight = static_cast<float>(o.ms_weight.value_or(0));
  f.mirror = o.mirror;
  f.tick = static_cast<float>(o.tick);
  f.snap = o.snap;
}

}  // namespace

void finetune_panel(PanelContext& ctx) {
  if (!ctx.training || !panel_header(ctx, "Fine-tune")) return;
  static Form form;
  TrainingHost& host = *ctx.training;
  train::Trainer& trainer = host.trainer();
  const train::TrainerStatus st = trainer.status();
  const bool active = st.state == train::TrainerState::Starting || st.state == train::TrainerState::Running ||
                      st.state == train::TrainerState::Paused || st.state == train::TrainerState::Stopping;
  // A run that starts (from the button, a script or a session) brings the panel into view.
  static bool was_active = false;
  if (active && !was_active) {
    ImGui::SetScrollHereY(0.0f);
    show_options(form, host.last_options());
  }
  was_active = active;
  ImGui::BeginDisabled(active);
  form_fields(ctx, form);
  ImGui::EndDisabled();

  if (!active) {
    if (ImGui::Button("Start")) {
      const std::string error = host.start(options_of(ctx, form), form.follow);
      if (!error.empty()) ctx.status.fail(error);
    }
  } else {
    if (st.state == train::TrainerState::Paused ? ImGui::Button("Resume") : ImGui::Button("Pause"))
      st.state == train::TrainerState::Paused ? trainer.resume() : trainer.pause();
    ImGui::SameLine();
    if (ImGui::Button("Stop")) trainer.stop();
  }
  ImGui::SameLine();
  ImGui::Checkbox("Follow in view", &host.following());

  if (st.state != train::TrainerState::Idle) {
    const double total_kimg = st.total_nimg / 1000.0, kimg = st.cur_nimg / 1000.0;
    char overlay[128];
    std::snprintf(overlay, sizeof overlay, "kimg %.2f / %.3g  %.1f img/s  ETA %s", kimg, total_kimg,
                  st.img_per_sec, duration(st.eta_sec).c_str());
    ImGui::ProgressBar(total_kimg > 0 ? static_cast<float>(kimg / total_kimg) : 0.0f, ImVec2(-1, 0), overlay);
    ImGui::Text("%s, tick %d", train::trainer_state_name(st.state), st.tick);
    if (!st.message.empty()) {
      const bool failed = st.state == train::TrainerState::Failed;
      if (failed) ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.45f, 0.4f, 1.0f));
      ImGui::TextWrapped("%s", st.message.c_str());
      if (failed) ImGui::PopStyleColor();
    }
    if (!st.last_snapshot.empty()) ImGui::TextWrapped("Snapshot: %s", st.last_snapshot.c_str());
    const train::TrainerHistory history = trainer.history();
    const float h = ctx.font_size * 2.6f;
    plot(history, "Loss/G/loss", "G loss", h);
    plot(history, "Loss/D/loss", "D loss", h);
    plot(history, "Loss/r1_penalty", "R1", h);
    plot(history, "Loss/pl_penalty", "path length", h);
    // The GL texture lives as long as the window's context, i.e. the process: never freed on purpose.
    static GlImage* preview = new GlImage();
    static uint64_t preview_version = 0;
    if (st.model_version != preview_version) {
      const train::GridImage grid = trainer.latest_preview();
      if (!grid.pixels.empty()) preview->upload(grid.pixels.data(), grid.width, grid.height, grid.channels);
      preview_version = st.model_version;
    }
    if (preview->width() > 0) {
      const float w = ImGui::GetContentRegionAvail().x;
      const float scale = w / static_cast<float>(preview->width());
      ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(preview->texture())),
                   ImVec2(w, preview->height() * scale));
    }
  }
}

}  // namespace stylescope::gui
