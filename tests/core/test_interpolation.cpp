// Keyframe paths (core/latent/interpolation.h): frame counts, exact keys, slerp geometry, cubic splines,
// loops, and parity with gen_video.py / scipy (tests/fixtures/ref/video, made by
// tests/fixtures/make_video_references.py running the official code).
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "core/io/errors.h"
#include "core/io/npy.h"
#include "core/latent/interpolation.h"
#include "core/latent/latents.h"
#include "core/model/model_file.h"
#include "core/render/renderer.h"

namespace stylescope {
namespace {

const std::string kFixtures = STYLESCOPE_FIXTURES_DIR;

double max_abs(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

torch::Tensor random_keys(int64_t k, std::vector<int64_t> shape, uint64_t seed = 1) {
  torch::manual_seed(seed);
  shape.insert(shape.begin(), k);
  return torch::randn(shape);
}

TEST(Interpolation, FrameCountsFollowTheIssue) {
  EXPECT_EQ(path_frame_count(5, 120, false), 4 * 120 + 1);
  EXPECT_EQ(path_frame_count(5, 120, true), 5 * 120);
  EXPECT_EQ(path_frame_count(1, 7, false), 7);
  EXPECT_EQ(path_frame_count(1, 7, true), 7);
  EXPECT_EQ(KeyframePath(random_keys(3, {4, 8}), InterpolationKind::Cubic, false, 10).num_frames(), 21);
}

TEST(Interpolation, SegmentsCanHaveTheirOwnLengths) {
  const auto keys = random_keys(3, {2, 4});
  // Open path: segments of 3 and 5 frames, 3 + 5 + 1 frames, keys at 0, 3 and 8.
  KeyframePath open(keys, InterpolationKind::Linear, false, std::vector<int64_t>{3, 5});
  ASSERT_EQ(open.num_frames(), 9);
  EXPECT_TRUE(torch::equal(open.frame(0), keys[0]));
  EXPECT_TRUE(torch::equal(open.frame(3), keys[1]));
  EXPECT_TRUE(torch::equal(open.frame(8), keys[2]));
  EXPECT_LT(max_abs(open.frame(1), keys[0] + (keys[1] - keys[0]) / 3), 1e-6);
  EXPECT_LT(max_abs(open.frame(5), keys[1] + (keys[2] - keys[1]) * 2 / 5), 1e-6);
  // Loop: a third segment leads back to key 0.
  KeyframePath loop(keys, InterpolationKind::Linear, true, std::vector<int64_t>{2, 3, 4});
  ASSERT_EQ(loop.num_frames(), 9);
  EXPECT_TRUE(torch::equal(loop.frame(2), keys[1]));
  EXPECT_TRUE(torch::equal(loop.frame(5), keys[2]));
  EXPECT_LT(max_abs(loop.frame(7), keys[2] + (keys[0] - keys[2]) / 2), 1e-6);
  // Equal lengths are exactly the uniform path, for every kind.
  const auto four = random_keys(4, {2, 4}, 3);
  for (auto kind : {InterpolationKind::Linear, InterpolationKind::Cubic, InterpolationKind::Slerp})
    for (bool closed : {false, true}) {
      KeyframePath uniform(four, kind, closed, 6);
      KeyframePath listed(four, kind, closed, std::vector<int64_t>(closed ? 4 : 3, 6));
      ASSERT_EQ(uniform.num_frames(), listed.num_frames());
      for (int64_t f = 0; f < uniform.num_frames(); ++f)
        ASSERT_TRUE(torch::equal(uniform.frame(f), listed.frame(f)));
    }
  // Cubic with uneven segments still passes through every key on its first frame.
  KeyframePath cubic(four, InterpolationKind::Cubic, false, std::vector<int64_t>{2, 7, 3});
  EXPECT_EQ(cubic.num_frames(), 13);
  EXPECT_TRUE(torch::equal(cubic.frame(2), four[1]));
  EXPECT_TRUE(torch::equal(cubic.frame(9), four[2]));
  EXPECT_TRUE(torch::equal(cubic.frame(12), four[3]));
  EXPECT_EQ(path_frame_count(std::vector<int64_t>{2, 7, 3}, 4, false), 13);
  EXPECT_EQ(path_segment_count(4, true), 4);
  EXPECT_EQ(path_segment_count(1, true), 1);
  // The wrong number of lengths, or a length below 1, is an input error.
  EXPECT_THROW(KeyframePath(keys, InterpolationKind::Linear, false, std::vector<int64_t>{3}), InputError);
  EXPECT_THROW(KeyframePath(keys, InterpolationKind::Linear, true, std::vector<int64_t>{3, 3}), InputError);
  EXPECT_THROW(KeyframePath(keys, InterpolationKind::Linear, false, std::vector<int64_t>{3, 0}), InputError);
}

TEST(Interpolation, EveryKindHitsItsKeysExactly) {
  const auto ws = random_keys(5, {4, 8});
  const auto zs = random_keys(5, {16}).to(torch::kFloat64);
  for (bool loop : {false, true})
    for (auto kind : {InterpolationKind::Linear, InterpolationKind::Cubic, InterpolationKind::Slerp}) {
      SCOPED_TRACE(std::string(interpolation_kind_name(kind)) + (loop ? " loop" : ""));
      const auto& keys = kind == InterpolationKind::Slerp ? zs : ws;
      KeyframePath path(keys, kind, loop, 6);
      for (int64_t k = 0; k < 5; ++k) {
        const int64_t f = k * 6;
        if (f >= path.num_frames()) continue;
        const auto frame = path.frame(f);
        EXPECT_EQ(frame.dtype(), keys.dtype());
        EXPECT_TRUE(torch::equal(frame, keys[k])) << "key " << k;
      }
      if (!loop) {
        EXPECT_TRUE(torch::equal(path.frame(path.num_frames() - 1), keys[4]));
      }
    }
}

TEST(Interpolation, OneKeyGivesThatKeyForEveryFrame) {
  const auto keys = random_keys(1, {3, 4});
  for (bool loop : {false, true}) {
    KeyframePath path(keys, InterpolationKind::Cubic, loop, 5);
    ASSERT_EQ(path.num_frames(), 5);
    for (int64_t f = 0; f < 5; ++f) EXPECT_TRUE(torch::equal(path.frame(f), keys[0]));
  }
}

TEST(Interpolation, LinearIsTheStraightSegment) {
  const auto keys = random_keys(3, {2, 5}).to(torch::kFloat64);
  KeyframePath path(keys, InterpolationKind::Linear, false, 4);
  EXPECT_LT(max_abs(path.frame(5), 0.75 * keys[1] + 0.25 * keys[2]), 1e-12);
}

TEST(Interpolation, SlerpKeepsTheNormAndTheGreatCircle) {
  auto keys = random_keys(3, {64}).to(torch::kFloat64);
  keys = keys / keys.norm(2, -1, true) * 8.0;  // equal norms
  KeyframePath path(keys, InterpolationKind::Slerp, true, 10);
  for (int64_t f = 0; f < path.num_frames(); ++f) EXPECT_NEAR(path.frame(f).norm().item<double>(), 8.0, 1e-9);
  // Halfway between two keys is the normalized bisector; a third of the way subtends a third of the angle.
  auto mid = path.frame(5), a = keys[0], b = keys[1];
  EXPECT_LT(max_abs(mid, (a + b) / (a + b).norm() * 8.0), 1e-9);
  const double omega = std::acos((a * b).sum().item<double>() / 64.0);
  KeyframePath thirds(keys, InterpolationKind::Slerp, false, 3);
  EXPECT_NEAR(std::acos((thirds.frame(1) * a).sum().item<double>() / 64.0), omega / 3, 1e-9);
  // Unequal norms: the direction follows the circle, the norm goes linearly from one to the other.
  auto scaled = keys.clone();
  scaled[1] *= 2.0;
  KeyframePath mixed(scaled, InterpolationKind::Slerp, false, 4);
  EXPECT_NEAR(mixed.frame(1).norm().item<double>(), 8.0 * 1.25, 1e-9);
  EXPECT_LT(max_abs(mixed.frame(2) / mixed.frame(2).norm(), mid / 8.0), 1e-9);
}

TEST(Interpolation, CubicReproducesACubicPolynomialThroughTheKeys) {
  // A not-a-knot spline through samples of one cubic is that cubic: a wrong spline fails here.
  auto cubic = [](double x) { return 0.3 * x * x * x - 1.2 * x * x + 0.5 * x + 2.0; };
  for (int64_t k : {4, 5, 9}) {
    SCOPED_TRACE(k);
    auto keys = torch::empty({k, 2, 1}, torch::kFloat64);
    for (int64_t i = 0; i < k; ++i) {
      keys[i][0][0] = cubic(static_cast<double>(i));
      keys[i][1][0] = -2.0 * cubic(static_cast<double>(i));
    }
    KeyframePath path(keys, InterpolationKind::Cubic, false, 7);
    for (int64_t f = 0; f < path.num_frames(); ++f) {
      const double x = static_cast<double>(f) / 7.0;
      EXPECT_NEAR(path.frame(f)[0][0].item<double>(), cubic(x), 1e-10) << "frame " << f;
      EXPECT_NEAR(path.frame(f)[1][0].item<double>(), -2.0 * cubic(x), 1e-10) << "frame " << f;
    }
  }
}

TEST(Interpolation, CubicWithFewerThanFourKeysIsLinear) {
  const auto keys = random_keys(3, {2, 3}).to(torch::kFloat64);
  KeyframePath cubic(keys, InterpolationKind::Cubic, false, 4);
  KeyframePath linear(keys, InterpolationKind::Linear, false, 4);
  for (int64_t f = 0; f < cubic.num_frames(); ++f) EXPECT_TRUE(torch::equal(cubic.frame(f), linear.frame(f)));
}

TEST(Interpolation, LoopsCloseSmoothly) {
  const auto keys = random_keys(4, {3, 5}).to(torch::kFloat64);
  const int64_t n = 400;
  KeyframePath linear(keys, InterpolationKind::Linear, true, n);
  // The last frame sits on the segment from the last key back to the first.
  EXPECT_LT(max_abs(linear.frame(4 * n - 1), keys[3] + (keys[0] - keys[3]) * (double(n - 1) / n)), 1e-12);
  KeyframePath cubic(keys, InterpolationKind::Cubic, true, n);
  ASSERT_EQ(cubic.num_frames(), 4 * n);
  // Closing step as small as the others, and the velocity continuous across the wrap.
  const auto step_in = keys[0] - cubic.frame(4 * n - 1), step_out = cubic.frame(1) - keys[0];
  EXPECT_LT(max_abs(step_in, step_out), 100.0 / (n * n));
  EXPECT_LT(max_abs(cubic.frame(4 * n - 1), keys[0]), 10.0 / n);
}

TEST(Interpolation, RejectsBadInput) {
  EXPECT_THROW(parse_interpolation_kind("bezier"), InputError);
  EXPECT_EQ(parse_interpolation_kind("slerp"), InterpolationKind::Slerp);
  EXPECT_THROW(KeyframePath(random_keys(2, {3}), InterpolationKind::Linear, false, 0), InputError);
  EXPECT_THROW(split_into_walks(random_keys(6, {3}), 2, 2), InputError);
  const auto walks = split_into_walks(random_keys(6, {3}), 3, 1);
  ASSERT_EQ(walks.size(), 3u);
  EXPECT_EQ(walks[1].size(0), 2);
}

// --- parity with the official gen_video.py and scipy --------------------------------------------------

torch::Tensor load_ref(const std::string& name) {
  return to_torch(read_npy(kFixtures + "/ref/video/" + name));
}

nlohmann::json video_cases() {
  std::ifstream in(kFixtures + "/ref/video/cases.json");
  return nlohmann::json::parse(in);
}

// Frames [F, cells, num_ws, w_dim] of the paths through `keys` [cells*K, num_ws, w_dim] for one case.
torch::Tensor case_frames(const nlohmann::json& c, const torch::Tensor& keys) {
  const auto grid = c["grid"].get<std::vector<int>>();
  std::vector<KeyframePath> paths;
  for (const auto& walk : split_into_walks(keys, grid[0], grid[1]))
    paths.emplace_back(walk, parse_interpolation_kind(c["kind"]), c["loop"].get<bool>(),
                       c["frames_per_key"].get<int64_t>());
  std::vector<torch::Tensor> frames;
  for (int64_t f = 0; f < paths[0].num_frames(); ++f) {
    std::vector<torch::Tensor> cells;
    for (const auto& p : paths) cells.push_back(p.frame(f));
    frames.push_back(torch::stack(cells));
  }
  return torch::stack(frames);
}

TEST(InterpolationParity, OfficialPathsFromTheOfficialKeys) {
  int cases = 0;
  for (const auto& c : video_cases()) {
    const std::string name = c["case"];
    SCOPED_TRACE(name);
    const auto keys = load_ref(name + "_keys.npy");  // [cells, K, num_ws, w_dim]
    const auto ref = load_ref(name + "_frames.npy");
    const auto ours = case_frames(c, keys.reshape({-1, keys.size(2), keys.size(3)}));
    ASSERT_EQ(ours.sizes(), ref.sizes());
    EXPECT_EQ(ours.size(0), c["frames"].get<int64_t>());
    EXPECT_LT(max_abs(ours, ref), 1e-5);
    ++cases;
  }
  EXPECT_GE(cases, 7);
}

TEST(InterpolationParity, OfficialPathsFromOurOwnMapping) {
  LoadedModel model = load_model(kFixtures + "/sg3repo_skip16.pkl");
  Renderer renderer(model.G, torch::kCPU);
  for (const auto& c : video_cases()) {
    const std::string name = c["case"];
    SCOPED_TRACE(name);
    std::vector<torch::Tensor> ws;
    for (uint32_t seed : c["seeds"].get<std::vector<uint32_t>>()) {
      LatentRequest r;
      r.seed = seed;
      r.psi = c["psi"].get<double>();
      ws.push_back(renderer.ws_for(r));
    }
    EXPECT_LT(max_abs(case_frames(c, torch::cat(ws, 0)), load_ref(name + "_frames.npy")), 1e-5);
  }
}

}  // namespace
}  // namespace stylescope
