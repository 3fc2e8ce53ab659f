#pragma once
// ExplorerState: everything a person set in the explorer window, the one source of truth of what they see.
// Panels edit it, sessions save it as JSON ("version" plus sections; unknown keys are ignored and missing
// ones defaulted so later features extend it), and scripts change it with JSON merge patches.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace stylescope {

struct LatentState {
  // Position in seed space as the official visualizer has it: (x, y) means seed x + 100*y; a fractional
  // position blends the 4 neighbouring seeds.
  double x = 0, y = 0;
  std::optional<int> class_idx;
  std::string w_file;  // a loaded w (.npy / .npz) replaces the seed when set
  int w_index = 0;     // which of the file's ws
  bool animate = false;
  double speed = 0.25;  // seeds per second along x while animating
};

struct EditState {
  std::map<int, double> offsets;         // w dimension -> offset added to that dimension
  int first_layer = 0, last_layer = -1;  // inclusive layer range the offsets apply to; -1 = last layer
};

// A direction set (dirs.npy + dirs.json) and the α of each slider; applied after mixing.
struct DirectionsState {
  std::string file;
  std::map<int, double> alphas;  // direction index -> α (in the set's unit)
};

struct TruncationState {
  double psi = 1.0;
  std::optional<int> cutoff;
  bool class_center = false;  // conditional models: towards the class's mean w, not the global w_avg
};

struct NoiseState {
  std::string mode = "const";  // const | random | none
  int seed = 0;                // random noise: torch.manual_seed before synthesis, as the visualizer does
  double strength = 1.0;
};

struct MixingState {
  bool enabled = false;
  int seed = 0;
  std::string w_file;  // a saved w (.npy / .npz) as the second latent instead of `seed`
  int w_index = 0;
  // The mixing seed's class (and the grid columns'); unset: the image's. Another class mixes across
  // classes, e.g. a dress's coarse layers onto a T-shirt.
  std::optional<int> class_idx;
  std::vector<int> layers;  // ws taken from the mixing seed
  double strength = 1.0;    // 1: copy those layers; less: blend towards them
  bool grid = false;        // show the paper's mixing figure instead of one image
  std::vector<int> grid_rows{0, 1, 2}, grid_cols{3, 4, 5};
};

struct ViewState {
  std::string layer;  // empty: the image; else a synthesis layer ("b16.conv1") shown as activations
  int channel = 0;
  bool rgb = false;  // three channels from `channel` as RGB instead of one with a colormap
  bool normalize = true;
  double brightness_db = 0;
  bool fft = false;
  bool fit = true;  // fit to the view; else `zoom` (1 = one image pixel per screen pixel)
  double zoom = 1, pan_x = 0, pan_y = 0;
  bool nearest = false;
  // The Resolution panel: measure each resolution's share of the image (skip generators) and, when
  // skip_sum_resolution > 0, show the skip sum up to that resolution instead of the image.
  bool resolution_usage = false;
  int skip_sum_resolution = 0;
};

struct ExplorerState;

// The keyframe timeline (issue 6): key states, how the path runs through them, and where the scrub is.
// Keys are whole states (their latent, truncation, noise, mixing, directions and edits parts matter; their
// view and timeline are unused); the path interpolates each key's final per-layer ws.
struct TimelineState {
  std::vector<ExplorerState> keys;
  std::string kind = "cubic";  // linear | cubic (gen_video.py's defaults: cubic, 120 frames per key, 60 fps)
  int frames_per_key = 120;
  // Frames of segment i (key i to key i+1; with loop the last is the way back to key 0). Missing entries
  // take frames_per_key, so an empty list is the uniform timeline.
  std::vector<int> segment_frames;
  bool loop = false;
  double fps = 60;
  int crf = 18;          // H.264 quality of MP4 recordings (0 lossless .. 51), as `video --crf`
  double position = 0;   // scrub position in frames
  bool playing = false;  // position advances at fps (and wraps)
  bool preview = false;  // the view shows the path at `position` instead of the current state
};

struct ExplorerState {
  static constexpr int kVersion = 1;
  std::string model;  // path of the loaded model
  LatentState latent;
  EditState edits;
  DirectionsState directions;
  TruncationState truncation;
  NoiseState noise;
  MixingState mixing;
  ViewState view;
  TimelineState timeline;

  // The seed the pad position rounds to (what the seed field shows).
  uint32_t seed() const;
  void set_seed(uint32_t seed);
};

nlohmann::json to_json(const ExplorerState& state);
// Reads a state; missing keys keep their defaults, unknown keys are ignored. A value of the wrong type
// throws InputError naming `source` and the key.
ExplorerState state_from_json(const nlohmann::json& json, const std::string& source);
// Applies a JSON merge patch (RFC 7386) to the state.
// A key of the timeline: `state` without its view and timeline.
ExplorerState timeline_key(const ExplorerState& state);
ExplorerState apply_patch(const ExplorerState& state, const nlohmann::json& patch, const std::string& source);

// Sessions on disk: written atomically; a file that is not a session throws InputError naming it.
void save_session(const std::string& path, const ExplorerState& state);
ExplorerState load_session(const std::string& path);
// A whole JSON file; InputError naming the file when it cannot be read or is not JSON (`what` says what
// it should have been: "session file", "script").
nlohmann::json read_json_file(const std::string& path, const std::string& what);

}  // namespace stylescope
