#pragma once
// RenderRequest: the part of ExplorerState that decides the pixels, as a plain value. The UI builds one
// each frame and hands it to the AsyncRenderer only when it differs from the last one.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/explore/explorer_state.h"

namespace stylescope {

struct RenderRequest {
  uint64_t model_generation = 0;                             // changes whenever another model is loaded
  std::vector<std::pair<uint32_t, double>> seeds{{0, 1.0}};  // seed and bilinear weight (weights sum to 1)
  std::optional<int> class_idx;
  std::string w_file;
  int w_index = 0;
  double psi = 1.0;
  std::optional<int> cutoff;
  bool class_center = false;  // truncate towards the class's mean w (LatentRequest::class_center)
  std::map<int, double> edit_offsets;
  int edit_first = 0, edit_last = -1;
  std::string directions_file;
  std::map<int, double> direction_alphas;  // non-zero αs only
  std::string noise_mode = "const";
  int noise_seed = 0;
  double noise_strength = 1.0;
  bool mix = false;
  uint32_t mix_seed = 0;
  std::optional<int> mix_class;  // the mixing seed's and the grid columns' class; unset: class_idx
  std::string mix_w_file;        // non-empty: the second latent is this file's w number mix_w_index
  int mix_w_index = 0;
  std::vector<int> mix_layers;
  double mix_strength = 1.0;
  bool grid = false;
  std::vector<int> grid_rows, grid_cols;
  std::string layer;
  int channel = 0;
  bool rgb = false, normalize = true, fft = false;
  double brightness_db = 0;
  // Each resolution's share of the image (skip generators; RenderedFrame::resolution_share) and, when
  // skip_sum_resolution > 0, the skip sum up to that resolution shown instead of the image.
  bool resolution_usage = false;
  int skip_sum_resolution = 0;
  // The timeline: non-empty keys render frame `timeline_frame` of the path through their final ws (the
  // top-level latent fields are then unused; noise and layer view still apply).
  std::vector<RenderRequest> timeline_keys;
  std::string timeline_kind = "cubic";
  bool timeline_loop = false;
  int timeline_frames_per_key = 1;
  std::vector<int64_t> timeline_segment_frames;  // non-empty: each segment's frames (overrides the above)
  int64_t timeline_frame = 0;
  int delay_ms = 0;  // tests: hold the worker this long before rendering

  bool operator==(const RenderRequest& other) const;
  bool operator!=(const RenderRequest& other) const { return !(*this == other); }
};

// The pad position's neighbouring seeds and weights, as the official visualizer's latent widget computes
// them (seed = x + 100*y, wrapped to 32 bits; only seeds with a positive weight).
std::vector<std::pair<uint32_t, double>> seed_weights(double x, double y);

// The state's request; with timeline.preview and at least one key, the timeline at its scrub position.
RenderRequest make_render_request(const ExplorerState& state, uint64_t model_generation);

// Frames of the state's timeline path (0 without keys), and the frame the scrub position shows.
int64_t timeline_frame_count(const TimelineState& timeline);
// Each segment's frames (segment_frames, frames_per_key where it has no entry); one entry without keys.
std::vector<int64_t> timeline_segments(const TimelineState& timeline);
int64_t timeline_frame_at(const TimelineState& timeline);

}  // namespace stylescope
