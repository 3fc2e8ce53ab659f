#include "app/gui/explorer_app.h"

#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cmath>

#include "core/latent/latents.h"

namespace stylescope::gui {

namespace {

constexpr ImGuiWindowFlags kPanelFlags =
    ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse;

}  // namespace

ExplorerApp::ExplorerApp(ExplorerState initial, AppOptions options, torch::Device device,
                         ForwardOptions base_options)
    : state_(std::move(initial)),
      options_(std::move(options)),
      base_options_(base_options),
      models_(device, std::move(base_options)),
      training_(device) {
  frames_on_device_ = options_.display != DisplayPath::Pbo && GlImage::interop_compiled() && device.is_cuda();
  async_ = std::make_unique<AsyncRenderer>([this](const RenderRequest& r) {
    auto renderer = models_.current();
    RenderedFrame frame;
    frame.request = r;
    if (!renderer) {
      frame.error = "no model loaded";
      return frame;
    }
    return renderer->render(r, frames_on_device_.load());
  });
  if (!state_.model.empty())
    open_model(state_.model);
  else
    status_.info("No model: open a .pkl or .safetensors in the Model panel, or drop one on the window.");
}

void ExplorerApp::open_model(const std::string& path) {
  if (models_.loading()) return;
  attempted_model_ = path;
  status_.info("Loading " + path + " ...");
  models_.load_async(path);
}

void ExplorerApp::on_model_loaded() {
  auto renderer = models_.current();
  const GeneratorConfig& cfg = renderer->model().config;
  state_.model = renderer->model().path;
  if (cfg.c_dim > 0 && (!state_.latent.class_idx || *state_.latent.class_idx >= cfg.c_dim))
    state_.latent.class_idx = 0;
  if (cfg.c_dim == 0) state_.latent.class_idx.reset();
  // Another model's mixing class falls back to the image's.
  const std::optional<int> mix_class = state_.mixing.class_idx;
  if (mix_class && (*mix_class < 0 || *mix_class >= cfg.c_dim)) state_.mixing.class_idx.reset();
  if (first_model_ && !options_.initial_styles.empty()) {
    try {
      state_.mixing.layers = parse_layers(options_.initial_styles, cfg.num_ws());
      state_.mixing.enabled = true;
    } catch (const std::exception& e) {
      if (options_.scripted) fatal_ = e.what();
      status_.fail(e.what());
    }
  }
  first_model_ = false;
  status_.info("Loaded " + state_.model);
}

void ExplorerApp::start_recording(const std::string& out) {
  auto renderer = models_.current();
  if (!renderer) return status_.fail("Record: no model loaded");
  if (recorder_.running()) return status_.fail("Record: a recording is already running");
  if (state_.timeline.keys.empty()) return status_.fail("Record: add at least one key to the timeline first");
  ExplorerState s = state_;
  s.timeline.preview = true;
  const RenderRequest timeline = make_render_request(s, models_.generation());
  recorder_.start(renderer->shared_model(), models_.device(), base_options_, timeline,
                  timeline_frame_count(s.timeline), s.timeline.fps, s.timeline.crf, out);
  status_.info("Recording " + std::to_string(timeline_frame_count(s.timeline)) + " frames to " + out +
               " ...");
}

void ExplorerApp::update_timeline(double dt) {
  std::string written, error;
  if (recorder_.take_result(written, error)) {
    if (!error.empty())
      status_.fail("Record: " + error);
    else if (!written.empty())
      status_.info("Recorded " + std::to_string(recorder_.frames_total()) + " frames to " + written);
    else
      status_.info("Recording cancelled");
  }
  TimelineState& t = state_.timeline;
  const int64_t frames = timeline_frame_count(t);
  if (!t.playing || frames == 0) return;
  t.preview = true;
  t.position = std::fmod(std::max(0.0, t.position + dt * t.fps), static_cast<double>(frames));
}

RenderRequest ExplorerApp::current_request() const {
  RenderRequest request = make_render_request(state_, models_.generation());
  request.delay_ms = options_.render_delay_ms;
  return request;
}

void ExplorerApp::release_gl() {
  image_.release();
  projection_.preview.release();
}

void ExplorerApp::set_projection_target(const std::string& path) {
  projection_.target = path;
  status_.info("Projection target: " + path + " (press Project in the Projection panel)");
}

const RenderedFrame* ExplorerApp::shown_on_host() {
  if (!shown_) return nullptr;
  shown_->download();
  return &*shown_;
}

bool ExplorerApp::idle() const {
  if (models_.loading() || !models_.current() || async_->busy() || !shown_) return false;
  return shown_->request == current_request() && frames_since_shown_ >= 1;
}

bool ExplorerApp::finished() const {
  return options_.scripted && (!options_.script || options_.script->done()) && idle() &&
         frames_since_shown_ >= 2;
}

void ExplorerApp::take_frame() {
  auto frame = async_->take();
  if (!frame) return;
  perf_.render_ms = frame->render_ms;
  perf_.render_history.push_back(static_cast<float>(frame->render_ms));
  if (perf_.render_history.size() > 120) perf_.render_history.pop_front();
  if (frame->request.model_generation != models_.generation()) return;  // from a model no longer shown
  if (!frame->error.empty()) {
    status_.fail(frame->error);
    if (options_.scripted) fatal_ = frame->error;
  }
  if (!frame->has_image()) {
    // Keep the previous image on screen, but mark the request as answered.
    if (shown_)
      shown_->request = frame->request;
    else
      shown_ = std::move(frame);
    frames_since_shown_ = 0;
    return;
  }
  // Grids and layer views always arrive with host pixels; only a frame kept on the GPU tries interop, and
  // only its failure turns interop off.
  const bool kept_on_gpu = frame->device_rgba.defined() && frame->device_rgba.is_cuda();
  bool on_device = false;
  if (kept_on_gpu)
    on_device = image_.upload_device(frame->device_rgba.data_ptr(), frame->width, frame->height,
                                     frame->device_rgba.device().index());
  if (kept_on_gpu && !on_device) {
    frames_on_device_ = false;  // the renderer stops keeping images on the device from the next request
    if (options_.display == DisplayPath::Interop && options_.scripted)
      fatal_ = "--display interop: CUDA-GL interop is unavailable (" + image_.interop_error() + ")";
  }
  if (!on_device) {
    frame->download();
    image_.upload(frame->pixels.data(), frame->width, frame->height, frame->channels);
  }
  perf_.display = image_.upload_path();
  if (!image_.interop_error().empty() && models_.device().is_cuda())
    perf_.display += " (CUDA-GL interop unavailable: " + image_.interop_error() + ")";
  shown_ = std::move(frame);
  frames_since_shown_ = 0;
}

void ExplorerApp::update(double now) {
  const double dt = last_now_ < 0 ? 0 : now - last_now_;
  last_now_ = now;
  if (auto event = models_.poll()) {
    if (event->error.empty()) {
      on_model_loaded();
    } else {
      status_.fail(event->error);
      if (options_.scripted) fatal_ = event->error;
      if (state_.model == event->path && models_.current()) state_.model = models_.current()->model().path;
    }
  }
  // A session or script can name another model.
  if (!models_.loading() && !state_.model.empty() && state_.model != attempted_model_ &&
      (!models_.current() || models_.current()->model().path != state_.model))
    open_model(state_.model);
  update_timeline(dt);
  if (training_.follow(models_, state_, attempted_model_)) submitted_.reset();
  if (options_.script) {
    ScriptActions actions;
    actions.record = [this](const std::string& out) { start_recording(out); };
    actions.recording = [this] { return recorder_.running() || recorder_.result_pending(); };
    actions.cancel_record = [this] { recorder_.cancel(); };
    actions.train = [this](const nlohmann::json& options) {
      auto current = models_.current();
      const std::string error = training_.start_from_json(options, current ? current->model().path : "");
      if (!error.empty()) {
        status_.fail(error);
        if (options_.scripted) fatal_ = error;
      }
    };
    actions.training = [this] { return training_.busy(); };
    actions.stop_training = [this] { training_.stop(); };
    actions.project = [this](const nlohmann::json& o) {
      projection_.steps = o.value("steps", projection_.steps);
      projection_.wplus = o.value("wplus", false);
      projection_.vgg16 = o.value("vgg16", std::string());
      PanelContext ctx = panel_context();
      start_projection(ctx, o.at("target").get<std::string>());
    };
    actions.projecting = [this] {
      if (projection_.job.running()) return true;
      const std::string error = projection_.job.progress().error;
      if (!error.empty() && options_.scripted && fatal_.empty()) fatal_ = error;
      return false;
    };
    actions.use_projection = [this](const std::string& dir) {
      PanelContext ctx = panel_context();
      if (!use_projection(ctx, dir) && options_.scripted) fatal_ = status_.message;
    };
    options_.script->advance(state_, status_, now, idle(), actions);
  }
  // Scripted runs never hang a test suite: a state that does not show within two minutes is an error.
  if (options_.scripted && now > 120 && fatal_.empty())
    fatal_ = "scripted run timed out waiting for a render";
  if (state_.latent.animate) state_.latent.x += dt * state_.latent.speed;

  take_frame();
  if (models_.current()) {
    const RenderRequest request = current_request();
    if (!submitted_ || *submitted_ != request) {
      async_->submit(request);
      submitted_ = request;
    }
  }
  perf_.busy = async_->busy() || models_.loading();
  perf_.renders = async_->rendered();
  perf_.dropped = async_->dropped();
  ++stats_.frames;
  if (async_->busy()) ++stats_.frames_while_rendering;
  if (dt * 1000 > stats_.longest_frame_ms && stats_.frames > 2) stats_.longest_frame_ms = dt * 1000;
  ++frames_since_shown_;
}

PanelContext ExplorerApp::panel_context(float font_size) {
  return PanelContext{state_,
                      models_,
                      models_.current().get(),
                      shown_ ? &*shown_ : nullptr,
                      status_,
                      perf_,
                      show_help_,
                      font_size,
                      [this](const std::string& path) { open_model(path); },
                      &drawn_panels_,
                      &recorder_,
                      [this](const std::string& out) { start_recording(out); },
                      &training_,
                      &projection_};
}

void ExplorerApp::draw(int fb_w, int fb_h) {
  const float w = static_cast<float>(fb_w), h = static_cast<float>(fb_h);
  const float font = ImGui::GetFontSize();
  const float status_h = std::max(ImGui::GetStyle().WindowMinSize.y, std::round(font * 2.2f));
  const float left_w = std::clamp(std::round(w * 0.25f), font * 22, font * 30);
  const float right_w = std::clamp(std::round(w * 0.2f), font * 19, font * 26);
  const float body_h = h - status_h;
  PanelContext ctx = panel_context(font);
  drawn_panels_.clear();
  perf_.frame_ms = 1000.0 / std::max(1.0f, ImGui::GetIO().Framerate);
  perf_.fps = ImGui::GetIO().Framerate;
  handle_shortcuts(ctx);

  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(left_w, body_h));
  ImGui::Begin("Explore", nullptr, kPanelFlags);
  model_panel(ctx);
  latent_panel(ctx);
  projection_panel(ctx);
  truncation_panel(ctx);
  mixing_panel(ctx);
  finetune_panel(ctx);
  ImGui::End();

  ImGui::SetNextWindowPos(ImVec2(w - right_w, 0));
  ImGui::SetNextWindowSize(ImVec2(right_w, body_h));
  ImGui::Begin("Inspect", nullptr, kPanelFlags);
  directions_panel(ctx);
  layers_panel(ctx);
  resolution_panel(ctx);
  performance_panel(ctx);
  capture_panel(ctx);
  timeline_panel(ctx);
  ImGui::End();

  draw_view(left_w, 0, w - left_w - right_w, body_h);
  draw_status_bar(body_h, w, status_h);
  help_overlay(ctx);
}

nlohmann::json ExplorerApp::layout() const {
  nlohmann::json windows = nlohmann::json::object();
  for (const char* name : {"Explore", "Inspect", "##view", "##status"})
    if (ImGuiWindow* w = ImGui::FindWindowByName(name))
      windows[name] = {w->Pos.x, w->Pos.y, w->Size.x, w->Size.y};
  return {{"windows", windows},
          {"panels", drawn_panels_},
          {"image", {image_rect_[0], image_rect_[1], image_rect_[2], image_rect_[3]}},
          {"status", status_.message},
          {"status_is_error", status_.error},
          {"state", to_json(state_)}};
}

void ExplorerApp::draw_status_bar(float y, float w, float h) {
  ImGui::SetNextWindowPos(ImVec2(0, y));
  ImGui::SetNextWindowSize(ImVec2(w, h));
  ImGui::Begin("##status", nullptr, kPanelFlags | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar);
  if (perf_.busy) {
    static const char spinner[] = "|/-\\";
    ImGui::Text("%c", spinner[static_cast<int>(ImGui::GetTime() * 8) % 4]);
    ImGui::SameLine();
  }
  if (status_.error)
    ImGui::TextColored(ImVec4(1.0f, 0.45f, 0.4f, 1.0f), "%s", status_.message.c_str());
  else
    ImGui::TextUnformatted(status_.message.c_str());
  if (shown_ && shown_->width > 0) {
    // A training run shows its progress here whichever panels are open.
    const train::TrainerStatus run = training_.trainer().status();
    char training[96] = "";
    if (run.state == train::TrainerState::Running || run.state == train::TrainerState::Paused)
      std::snprintf(training, sizeof training, "%s kimg %.2f/%.3g  %.0f img/s    ",
                    run.state == train::TrainerState::Paused ? "paused" : "training", run.cur_nimg / 1000.0,
                    run.total_nimg / 1000.0, run.img_per_sec);
    char right[192];
    std::snprintf(right, sizeof right, "%s%dx%d  %.1f ms   F1: shortcuts", training, shown_->width,
                  shown_->height, perf_.render_ms);
    ImGui::SameLine(w - ImGui::CalcTextSize(right).x - ImGui::GetStyle().WindowPadding.x * 2);
    ImGui::TextDisabled("%s", right);
  }
  ImGui::End();
}

}  // namespace stylescope::gui
