#include "core/latent/interpolation.h"

#include <algorithm>

#include <cmath>

#include "core/io/errors.h"

namespace stylescope {

namespace {

// gen_video.py tiles its keys 2 * wraps + 1 times with wraps = 2 before fitting the spline.
constexpr int64_t kLoopWraps = 2;

// Great-circle interpolation of the rows of a and b [R, D] (float64), the norms interpolated linearly.
torch::Tensor slerp_rows(const torch::Tensor& a, const torch::Tensor& b, double u) {
  auto na = a.norm(2, -1, true), nb = b.norm(2, -1, true);
  auto ua = a / na.clamp_min(1e-300), ub = b / nb.clamp_min(1e-300);
  auto cos_omega = (ua * ub).sum(-1, true).clamp(-1.0, 1.0);
  auto omega = torch::acos(cos_omega);
  auto sin_omega = torch::sin(omega);
  // Nearly parallel (or antipodal) rows have no well-defined great circle: fall back to the chord.
  auto degenerate = sin_omega.abs() < 1e-12;
  auto safe_sin = torch::where(degenerate, torch::ones_like(sin_omega), sin_omega);
  auto wa =
      torch::where(degenerate, torch::full_like(omega, 1.0 - u), torch::sin((1.0 - u) * omega) / safe_sin);
  auto wb = torch::where(degenerate, torch::full_like(omega, u), torch::sin(u * omega) / safe_sin);
  auto direction = wa * ua + wb * ub;
  direction = direction / direction.norm(2, -1, true).clamp_min(1e-300);
  return direction * ((1.0 - u) * na + u * nb);
}

}  // namespace

InterpolationKind parse_interpolation_kind(const std::string& text, const std::string& flag) {
  if (text == "linear") return InterpolationKind::Linear;
  if (text == "slerp") return InterpolationKind::Slerp;
  if (text == "cubic") return InterpolationKind::Cubic;
  throw InputError(flag + ": '" + text + "' is not an interpolation kind (linear, slerp or cubic)");
}

const char* interpolation_kind_name(InterpolationKind kind) {
  switch (kind) {
    case InterpolationKind::Linear:
      return "linear";
    case InterpolationKind::Slerp:
      return "slerp";
    case InterpolationKind::Cubic:
      return "cubic";
  }
  return "?";
}

int64_t path_frame_count(int64_t num_keys, int64_t frames_per_key, bool loop) {
  if (num_keys <= 1) return frames_per_key;
  return loop ? num_keys * frames_per_key : (num_keys - 1) * frames_per_key + 1;
}

torch::Tensor not_a_knot_second_derivatives(const torch::Tensor& y) {
  const int64_t n = y.size(0);
  TORCH_CHECK(n >= 4, "a not-a-knot cubic spline needs at least 4 points");
  // With unit spacing the interior conditions are M[i-1] + 4 M[i] + M[i+1] = r[i], r = 6 * (second
  // difference of y). Not-a-knot (third derivative continuous at x1 and x[n-2]) gives M0 = 2 M1 - M2,
  // which turns the first equation into 6 M1 = r1 (likewise at the end); what is left is tridiagonal.
  auto r = 6.0 * (y.narrow(0, 0, n - 2) - 2.0 * y.narrow(0, 1, n - 2) + y.narrow(0, 2, n - 2));  // r[i+1]
  auto m = torch::zeros_like(y);
  m[1] = r[0] / 6.0;
  m[n - 2] = r[n - 3] / 6.0;
  const int64_t first = 2, last = n - 3;  // unknowns M[2..n-3]
  if (last >= first) {
    // Thomas algorithm on diag 4, off-diagonals 1.
    const int64_t count = last - first + 1;
    std::vector<double> c_prime(count);
    std::vector<torch::Tensor> d_prime(count);
    for (int64_t k = 0; k < count; ++k) {
      const int64_t i = first + k;
      auto rhs = r[i - 1].clone();
      if (k == 0) rhs -= m[i - 1];
      if (k == count - 1) rhs -= m[i + 1];
      const double denom = k == 0 ? 4.0 : 4.0 - c_prime[k - 1];
      c_prime[k] = 1.0 / denom;
      d_prime[k] = k == 0 ? rhs / denom : (rhs - d_prime[k - 1]) / denom;
    }
    m[last] = d_prime[count - 1];
    for (int64_t k = count - 2; k >= 0; --k) m[first + k] = d_prime[k] - c_prime[k] * m[first + k + 1];
  }
  m[0] = 2.0 * m[1] - m[2];
  m[n - 1] = 2.0 * m[n - 2] - m[n - 3];
  return m;
}

int64_t path_segment_count(int64_t num_keys, bool loop) {
  return num_keys <= 1 ? 1 : (loop ? num_keys : num_keys - 1);
}

int64_t path_frame_count(const std::vector<int64_t>& segment_frames, int64_t num_keys, bool loop) {
  int64_t total = 0;
  for (int64_t n : segment_frames) total += n;
  return num_keys <= 1 || loop ? total : total + 1;
}

KeyframePath::KeyframePath(const torch::Tensor& keys, InterpolationKind kind, bool loop,
                           int64_t frames_per_key)
    : KeyframePath(keys, kind, loop,
                   std::vector<int64_t>(keys.defined() && keys.dim() >= 2
                                            ? static_cast<size_t>(path_segment_count(keys.size(0), loop))
                                            : 1,
                                        frames_per_key)) {}

KeyframePath::KeyframePath(const torch::Tensor& keys, InterpolationKind kind, bool loop,
                           std::vector<int64_t> segment_frames)
    : keys_(keys), kind_(kind), loop_(loop), segment_frames_(std::move(segment_frames)) {
  if (!keys.defined() || keys.dim() < 2 || keys.size(0) < 1)
    throw InputError("an interpolation path needs keys");
  if (static_cast<int64_t>(segment_frames_.size()) != path_segment_count(keys.size(0), loop))
    throw InputError("a path through " + std::to_string(keys.size(0)) + " keys needs " +
                     std::to_string(path_segment_count(keys.size(0), loop)) + " segment lengths, got " +
                     std::to_string(segment_frames_.size()));
  int64_t start = 0;
  for (int64_t n : segment_frames_) {
    if (n < 1) throw InputError("--frames-per-key: " + std::to_string(n) + " is not a positive frame count");
    segment_start_.push_back(start);
    start += n;
  }
  const int64_t k = keys.size(0);
  flat_ = keys.to(torch::kFloat64).reshape({k, -1, keys.size(-1)});
  if (kind != InterpolationKind::Cubic || k == 1) return;
  if (loop) {
    auto tiled = flat_.reshape({k, -1}).repeat({2 * kLoopWraps + 1, 1});
    auto m = not_a_knot_second_derivatives(tiled);
    // Position 0 is row wraps*K; the segments [0, K) end at row (wraps+1)*K (key 0 again).
    // clone(): keep only the K+1 rows used, not the five tiles.
    curvature_ = m.narrow(0, kLoopWraps * k, k + 1).clone();
    knots_ = tiled.narrow(0, kLoopWraps * k, k + 1).clone();
    spline_ = true;
  } else if (k >= 4) {
    knots_ = flat_.reshape({k, -1});
    curvature_ = not_a_knot_second_derivatives(knots_);
    spline_ = true;
  }
}

torch::Tensor KeyframePath::frame(int64_t index) const {
  TORCH_CHECK(index >= 0 && index < num_frames(), "frame index out of range");
  const int64_t k = num_keys();
  if (k == 1) return keys_[0].clone();
  const int64_t segment =
      std::upper_bound(segment_start_.begin(), segment_start_.end(), index) - segment_start_.begin() - 1;
  const int64_t offset = index - segment_start_[segment], length = segment_frames_[segment];
  if (offset == 0) return keys_[segment % k].clone();
  if (offset == length) return keys_[(segment + 1) % k].clone();  // the last frame of an open path
  return between(segment, static_cast<double>(offset) / static_cast<double>(length))
      .to(keys_.dtype())
      .reshape(keys_.sizes().slice(1));
}

torch::Tensor KeyframePath::between(int64_t segment, double u) const {
  const int64_t k = num_keys();
  if (spline_) {
    // The cubic on [x_s, x_s+1] in terms of its end values and second derivatives (unit spacing).
    const double v = 1.0 - u;
    return v * knots_[segment] + u * knots_[segment + 1] + (v * v * v - v) / 6.0 * curvature_[segment] +
           (u * u * u - u) / 6.0 * curvature_[segment + 1];
  }
  const auto& a = flat_[segment];
  const auto& b = flat_[(segment + 1) % k];
  if (kind_ == InterpolationKind::Slerp) return slerp_rows(a, b, u);
  return (1.0 - u) * a + u * b;
}

std::vector<torch::Tensor> split_into_walks(const torch::Tensor& keys, int grid_w, int grid_h) {
  if (grid_w < 1 || grid_h < 1) throw InputError("--grid: the grid needs at least one cell");
  const int64_t cells = static_cast<int64_t>(grid_w) * grid_h;
  const int64_t total = keys.size(0);
  if (total % cells != 0 || total == 0)
    throw InputError("--grid " + std::to_string(grid_w) + "x" + std::to_string(grid_h) + ": " +
                     std::to_string(total) + " keys do not fill " + std::to_string(cells) +
                     " walks (the number of keys must be a multiple of W*H)");
  const int64_t per_walk = total / cells;
  std::vector<torch::Tensor> walks;
  for (int64_t c = 0; c < cells; ++c) walks.push_back(keys.narrow(0, c * per_walk, per_walk));
  return walks;
}

}  // namespace stylescope
