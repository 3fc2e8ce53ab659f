#pragma once
// Interpolation paths through keyframes, for videos and the GUI's timeline (issue 6). A path holds K keys
// and answers "what is the latent at frame i": ws for `linear` and `cubic` (keys are the final per-layer
// ws of each key state, after truncation and mixing), z for `slerp` (the caller maps, truncates and
// mixes each frame's z as it does a seed's, so the path stays on the sphere the mapping network expects).
#include <cstdint>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace stylescope {

enum class InterpolationKind { Linear, Slerp, Cubic };

// "linear" | "slerp" | "cubic"; InputError naming `flag` otherwise.
InterpolationKind parse_interpolation_kind(const std::string& text, const std::string& flag = "--kind");
const char* interpolation_kind_name(InterpolationKind kind);

// Frames of a walk through `num_keys` keys with `frames_per_key` frames per segment: (K-1)*N + 1 (ends
// exactly on the last key), K*N with a loop (the frame after the last is the first), N when K == 1.
int64_t path_frame_count(int64_t num_keys, int64_t frames_per_key, bool loop);
// Segments of a walk: K-1 (key i to key i+1), K with a loop (the last key back to the first), 1 when K == 1.
int64_t path_segment_count(int64_t num_keys, bool loop);
// Frames of a walk whose segment i has segment_frames[i] frames: their sum, plus the final key without a
// loop.
int64_t path_frame_count(const std::vector<int64_t>& segment_frames, int64_t num_keys, bool loop);

class KeyframePath {
 public:
  // keys [K, ...]: ws [K, num_ws, w_dim] for Linear and Cubic, z [K, z_dim] for Slerp (any trailing
  // shape works; slerp acts on the last dimension). Kinds:
  //  - Linear: straight segments; with `loop` the last key leads back to the first.
  //  - Slerp: great-circle segments between the keys' directions, the norm interpolated linearly (equal
  //    norms stay equal); with `loop` as Linear.
  //  - Cubic without loop: the not-a-knot cubic spline through the K keys (scipy's
  //    interp1d(kind='cubic')); K < 4 keys fall back to Linear.
  //  - Cubic with loop: gen_video.py's path: the not-a-knot spline through the keys tiled five times
  //    (positions -2K .. 3K-1), drawn on [0, K). It passes through every key and closes the loop.
  // InputError for an empty key set or frames_per_key < 1.
  KeyframePath(const torch::Tensor& keys, InterpolationKind kind, bool loop, int64_t frames_per_key);
  // Segment i (key i to key i+1) takes segment_frames[i] frames, path_segment_count() of them; the shape of
  // the path is the same, only where the frames fall on it changes.
  KeyframePath(const torch::Tensor& keys, InterpolationKind kind, bool loop,
               std::vector<int64_t> segment_frames);

  int64_t num_keys() const { return keys_.size(0); }
  int64_t num_frames() const { return path_frame_count(segment_frames_, num_keys(), loop_); }
  InterpolationKind kind() const { return kind_; }

  // The latent of frame i (shape keys.sizes()[1:], the keys' dtype and device). A frame that falls on a
  // key (the first frame of a segment, or the last frame of an open path) returns that key exactly.
  torch::Tensor frame(int64_t index) const;

 private:
  torch::Tensor between(int64_t segment, double u) const;  // segment s, 0 < u < 1

  torch::Tensor keys_;       // [K, ...] as given
  torch::Tensor flat_;       // [K, D] float64: the keys, flattened
  torch::Tensor curvature_;  // [S+1, D] float64: spline second derivatives at the segment ends (Cubic)
  torch::Tensor knots_;      // [S+1, D] float64: spline values at the segment ends (Cubic)
  InterpolationKind kind_;
  bool loop_;
  bool spline_ = false;
  std::vector<int64_t> segment_frames_;  // frames of each segment
  std::vector<int64_t> segment_start_;   // first frame of each segment
};

// Second derivatives of the not-a-knot cubic spline through y [n, D] at unit-spaced positions (n >= 4).
torch::Tensor not_a_knot_second_derivatives(const torch::Tensor& y);

// gen_video.py's --grid: keys [W*H*K, ...] fill slots (y*W + x)*K + k, so walk (x, y) takes the K keys
// starting at (y*W + x)*K. Returns the W*H walks in that order (row by row). InputError when the keys do
// not divide into W*H walks.
std::vector<torch::Tensor> split_into_walks(const torch::Tensor& keys, int grid_w, int grid_h);

}  // namespace stylescope
