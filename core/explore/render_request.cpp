#include "core/explore/render_request.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "core/latent/interpolation.h"

namespace stylescope {

namespace {

auto fields(const RenderRequest& r) {
  return std::tie(
      r.model_generation, r.seeds, r.class_idx, r.w_file, r.w_index, r.psi, r.cutoff, r.class_center,
      r.edit_offsets, r.edit_first, r.edit_last, r.directions_file, r.direction_alphas, r.noise_mode,
      r.noise_seed, r.noise_strength, r.mix, r.mix_seed, r.mix_class, r.mix_w_file, r.mix_w_index,
      r.mix_layers, r.mix_strength, r.grid, r.grid_rows, r.grid_cols, r.layer, r.channel, r.rgb, r.normalize,
      r.fft, r.brightness_db, r.resolution_usage, r.skip_sum_resolution, r.timeline_keys, r.timeline_kind,
      r.timeline_loop, r.timeline_frames_per_key, r.timeline_segment_frames, r.timeline_frame, r.delay_ms);
}

}  // namespace

bool RenderRequest::operator==(const RenderRequest& other) const { return fields(*this) == fields(other); }

std::vector<std::pair<uint32_t, double>> seed_weights(double x, double y) {
  std::vector<std::pair<uint32_t, double>> out;
  const double fx = std::floor(x), fy = std::floor(y);
  for (const auto& [ox, oy] : {std::pair{0, 0}, {1, 0}, {0, 1}, {1, 1}}) {
    const double sx = fx + ox, sy = fy + oy;
    const double weight = (1 - std::abs(x - sx)) * (1 - std::abs(y - sy));
    if (weight <= 0) continue;
    const int64_t seed = static_cast<int64_t>(sx) + static_cast<int64_t>(sy) * 100;
    out.emplace_back(static_cast<uint32_t>(seed & 0xffffffffLL), weight);
  }
  return out;
}

std::vector<int64_t> timeline_segments(const TimelineState& t) {
  const int64_t count = path_segment_count(static_cast<int64_t>(std::max<size_t>(t.keys.size(), 1)), t.loop);
  std::vector<int64_t> frames;
  for (int64_t i = 0; i < count; ++i)
    frames.push_back(i < static_cast<int64_t>(t.segment_frames.size()) ? std::max(1, t.segment_frames[i])
                                                                       : std::max(1, t.frames_per_key));
  return frames;
}

int64_t timeline_frame_count(const TimelineState& t) {
  if (t.keys.empty()) return 0;
  return path_frame_count(timeline_segments(t), static_cast<int64_t>(t.keys.size()), t.loop);
}

int64_t timeline_frame_at(const TimelineState& t) {
  const int64_t frames = timeline_frame_count(t);
  if (frames == 0) return 0;
  const double p = std::floor(t.position);
  return std::clamp(static_cast<int64_t>(std::isfinite(p) ? p : 0), int64_t{0}, frames - 1);
}

RenderRequest make_render_request(const ExplorerState& s, uint64_t model_generation) {
  if (s.timeline.preview && !s.timeline.keys.empty()) {
    ExplorerState current = s;
    current.timeline = TimelineState{};
    current.mixing.grid = false;
    RenderRequest r = make_render_request(current, model_generation);
    for (const ExplorerState& key : s.timeline.keys)
      r.timeline_keys.push_back(make_render_request(timeline_key(key), model_generation));
    r.timeline_kind = s.timeline.kind;
    r.timeline_loop = s.timeline.loop;
    r.timeline_frames_per_key = std::max(1, s.timeline.frames_per_key);
    if (!s.timeline.segment_frames.empty()) r.timeline_segment_frames = timeline_segments(s.timeline);
    r.timeline_frame = timeline_frame_at(s.timeline);
    return r;
  }
  RenderRequest r;
  r.model_generation = model_generation;
  r.seeds = seed_weights(s.latent.x, s.latent.y);
  r.class_idx = s.latent.class_idx;
  r.w_file = s.latent.w_file;
  r.w_index = s.latent.w_index;
  r.psi = s.truncation.psi;
  r.cutoff = s.truncation.cutoff;
  r.class_center = s.truncation.class_center;
  for (const auto& [dim, value] : s.edits.offsets)
    if (value != 0) r.edit_offsets[dim] = value;
  r.edit_first = s.edits.first_layer;
  if (!s.directions.file.empty()) {
    r.directions_file = s.directions.file;
    for (const auto& [index, alpha] : s.directions.alphas)
      if (alpha != 0) r.direction_alphas[index] = alpha;
  }
  r.edit_last = s.edits.last_layer;
  r.noise_mode = s.noise.mode;
  r.noise_seed = s.noise.seed;
  r.noise_strength = s.noise.strength;
  r.mix = s.mixing.enabled && !s.mixing.layers.empty() && !s.mixing.grid;
  if (r.mix) {
    r.mix_seed = static_cast<uint32_t>(s.mixing.seed);
    r.mix_class = s.mixing.class_idx;
    r.mix_w_file = s.mixing.w_file;
    r.mix_w_index = s.mixing.w_index;
    r.mix_layers = s.mixing.layers;
    r.mix_strength = s.mixing.strength;
  }
  r.grid = s.mixing.grid && !s.mixing.grid_rows.empty() && !s.mixing.grid_cols.empty();
  if (r.grid) {
    r.grid_rows = s.mixing.grid_rows;
    r.grid_cols = s.mixing.grid_cols;
    r.mix_class = s.mixing.class_idx;
    r.mix_layers = s.mixing.layers;
  }
  if (!r.grid) {
    r.layer = s.view.layer;
    if (!r.layer.empty()) {
      r.channel = s.view.channel;
      r.rgb = s.view.rgb;
      r.normalize = s.view.normalize;
      r.fft = s.view.fft;
      r.brightness_db = s.view.brightness_db;
    }
    r.resolution_usage = s.view.resolution_usage;
    if (r.resolution_usage) r.skip_sum_resolution = s.view.skip_sum_resolution;
  }
  return r;
}

}  // namespace stylescope
