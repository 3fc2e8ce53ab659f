// Timeline: keyframes of the current state, the path through them (kind, segment length, loop), scrubbing
// and playing it in the view, and recording it to an MP4 or PNG frames on the recorder's thread.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

#include "app/gui/panel_context.h"
#include "core/explore/render_request.h"

namespace stylescope::gui {

namespace {

// "seed 12, ψ 0.70, mix 3": enough to tell keys apart in the list.
std::string key_label(const ExplorerState& key) {
  char text[160];
  if (!key.latent.w_file.empty())
    std::snprintf(text, sizeof text, "w #%d, psi %.2f", key.latent.w_index, key.truncation.psi);
  else
    std::snprintf(text, sizeof text, "seed %u, psi %.2f", key.seed(), key.truncation.psi);
  std::string out = text;
  if (key.mixing.enabled && !key.mixing.layers.empty()) out += ", mix " + std::to_string(key.mixing.seed);
  if (!key.directions.alphas.empty() || !key.edits.offsets.empty()) out += ", edited";
  return out;
}

// Jumping to a key: the key's latent, truncation, noise, mixing and edits become the state; the view,
// the model and the timeline itself stay.
void jump_to(ExplorerState& state, const ExplorerState& key) {
  ExplorerState next = key;
  next.model = state.model;
  next.view = state.view;
  next.timeline = state.timeline;
  next.timeline.preview = false;
  next.timeline.playing = false;
  state = std::move(next);
}

// The frames of the segment after key i (to the next key, or back to the first with loop), editable.
void segment_field(TimelineState& t, int i, float width) {
  const std::vector<int64_t> segments = timeline_segments(t);
  if (t.keys.size() < 2 || i >= static_cast<int>(segments.size())) return;
  int frames = static_cast<int>(segments[i]);
  ImGui::SameLine();
  ImGui::TextDisabled("->");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(width);
  if (ImGui::InputInt("##segment", &frames, 0)) {
    t.segment_frames.assign(segments.begin(), segments.end());
    t.segment_frames[i] = std::clamp(frames, 1, 1000000);
  }
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("frames from key %d to key %d", i + 1,
                      i + 2 > static_cast<int>(t.keys.size()) ? 1 : i + 2);
}

void key_list(ExplorerState& state, float font) {
  auto& keys = state.timeline.keys;
  int move_from = -1, move_to = -1, erase = -1, jump = -1;
  for (int i = 0; i < static_cast<int>(keys.size()); ++i) {
    ImGui::PushID(i);
    if (ImGui::SmallButton("Go")) jump = i;
    ImGui::SameLine();
    if (ImGui::SmallButton("^") && i > 0) move_from = i, move_to = i - 1;
    ImGui::SameLine();
    if (ImGui::SmallButton("v") && i + 1 < static_cast<int>(keys.size())) move_from = i, move_to = i + 1;
    ImGui::SameLine();
    if (ImGui::SmallButton("x")) erase = i;
    ImGui::SameLine();
    ImGui::Text("%d: %s", i + 1, key_label(keys[i]).c_str());
    segment_field(state.timeline, i, font * 3);
    ImGui::PopID();
  }
  if (move_from >= 0) std::swap(keys[move_from], keys[move_to]);
  if (erase >= 0) keys.erase(keys.begin() + erase);
  if (jump >= 0) jump_to(state, ExplorerState(keys[jump]));
}

void record_controls(PanelContext& ctx) {
  static char out[1024] = "timeline.mp4";
  const float f = ctx.font_size;
  Recorder* recorder = ctx.recorder;
  if (recorder && recorder->running()) {
    const int64_t done = recorder->frames_done(), total = std::max<int64_t>(1, recorder->frames_total());
    char overlay[96];
    const double eta = recorder->eta_seconds();
    if (eta >= 0)
      std::snprintf(overlay, sizeof overlay, "%lld / %lld, %.0f s left", static_cast<long long>(done),
                    static_cast<long long>(total), eta);
    else
      std::snprintf(overlay, sizeof overlay, "%lld / %lld", static_cast<long long>(done),
                    static_cast<long long>(total));
    ImGui::ProgressBar(static_cast<float>(done) / static_cast<float>(total), ImVec2(-f * 5, 0), overlay);
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) recorder->cancel();
    return;
  }
  ImGui::SetNextItemWidth(-f * 5);
  ImGui::InputText("##record_out", out, sizeof out);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("out.mp4, or a folder (DIR/) for frame000000.png ...");
  ImGui::SameLine();
  ImGui::BeginDisabled(ctx.state.timeline.keys.empty() || !ctx.model || !ctx.record);
  if (ImGui::Button("Record")) ctx.record(out);
  ImGui::EndDisabled();
  int& crf = ctx.state.timeline.crf;
  ImGui::SetNextItemWidth(f * 3);
  if (ImGui::InputInt("CRF (.mp4)", &crf, 0)) crf = std::clamp(crf, 0, 51);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("H.264 quality: 0 lossless, 18 the default (as video --crf), 51 the smallest file");
}

}  // namespace

void timeline_panel(PanelContext& ctx) {
  if (!panel_header(ctx, "Timeline")) return;
  TimelineState& t = ctx.state.timeline;
  const float f = ctx.font_size;
  if (ImGui::Button("Add current state as key")) t.keys.push_back(timeline_key(ctx.state));
  key_list(ctx.state, f);

  int kind = t.kind == "linear" ? 0 : 1;
  ImGui::SetNextItemWidth(f * 6);
  if (ImGui::Combo("Kind", &kind, "linear\0cubic\0")) t.kind = kind == 0 ? "linear" : "cubic";
  ImGui::SameLine();
  ImGui::Checkbox("Loop", &t.loop);
  ImGui::SetNextItemWidth(f * 6);
  if (ImGui::InputInt("Frames per key", &t.frames_per_key)) {
    t.frames_per_key = std::max(1, t.frames_per_key);
    t.segment_frames.clear();  // sets every segment; the key list's fields then change single ones
  }
  ImGui::SetNextItemWidth(f * 6);
  if (ImGui::InputDouble("FPS", &t.fps, 1, 10, "%.0f")) t.fps = std::clamp(t.fps, 1.0, 240.0);

  const int64_t frames = timeline_frame_count(t);
  ImGui::BeginDisabled(frames == 0);
  ImGui::Checkbox("Show in view", &t.preview);
  ImGui::SameLine();
  if (ImGui::Button(t.playing ? "Pause" : "Play")) {
    t.playing = !t.playing;
    if (t.playing) t.preview = true;
  }
  int frame = static_cast<int>(timeline_frame_at(t));
  ImGui::SetNextItemWidth(-1);
  if (ImGui::SliderInt("##scrub", &frame, 0, static_cast<int>(std::max<int64_t>(0, frames - 1)),
                       "frame %d")) {
    t.position = frame;
    t.preview = true;
  }
  ImGui::EndDisabled();
  record_controls(ctx);
}

}  // namespace stylescope::gui
