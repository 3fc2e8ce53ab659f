// Projection (core/project) against the official projector.py, the built-in distance end to end, and the
// errors a user meets (tests/fixtures/make_projection_references.py made the references).
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "core/io/errors.h"
#include "core/io/npy.h"
#include "core/metrics/image_distance.h"
#include "core/model/model_file.h"
#include "core/project/projection_target.h"
#include "core/project/projector.h"
#include "core/render/renderer.h"

namespace stylescope {
namespace {

const std::string kFixtures = STYLESCOPE_FIXTURES_DIR;
const std::string kRef = kFixtures + "/ref/projection/";

torch::Tensor ref(const std::string& name) { return to_torch(read_npy(kRef + name)); }

torch::Tensor render_const(Generator& G, const torch::Tensor& ws) {
  torch::NoGradGuard no_grad;
  return G->synthesis->forward(ws, ForwardOptions{});
}

// projector.py's project() on skip_rgb32 with the fixture VGG16, seed 303, 100 steps: the same w after 1,
// 10 and 100 steps, and the same distance at every step (the reference prints two decimals).
TEST(Projection, FollowsTheOfficialProjectorTrajectory) {
  LoadedModel m = load_model(kFixtures + "/skip_rgb32.pkl");
  auto lpips = load_vgg16_lpips(kFixtures + "/vgg16_fixture.pt", torch::kCPU);
  ProjectionOptions options;
  options.steps = 100;
  Projector projector(m.G, ref("skip_rgb32_target.npy"), *lpips, options);
  const auto ref_w = ref("skip_rgb32_w_steps.npy");  // [3, w_dim]: after steps 1, 10, 100
  const auto ref_dist = ref("skip_rgb32_dists.npy");
  const std::map<int, std::pair<int, double>> checkpoints{{1, {0, 1e-5}}, {10, {1, 1e-4}}, {100, {2, 1e-3}}};
  double worst_dist = 0;
  while (!projector.done()) {
    projector.step();
    worst_dist = std::max(worst_dist, std::abs(projector.last_distance() -
                                               ref_dist[projector.steps_done() - 1].item<double>()));
    auto it = checkpoints.find(projector.steps_done());
    if (it == checkpoints.end()) continue;
    SCOPED_TRACE("after step " + std::to_string(it->first));
    const auto ws = projector.ws();
    ASSERT_EQ(ws.sizes(), (std::vector<int64_t>{1, 8, 32}));
    // Every layer holds the same w (w, not w+).
    EXPECT_EQ((ws[0] - ws[0][0]).abs().max().item<float>(), 0.0f);
    const double diff = (ws[0][0] - ref_w[it->second.first]).abs().max().item<double>();
    EXPECT_LT(diff, it->second.second);
    RecordProperty("w_max_abs_diff_after_step_" + std::to_string(it->first), std::to_string(diff));
  }
  EXPECT_LE(worst_dist, 0.0051);
  RecordProperty("worst_distance_diff", std::to_string(worst_dist));
  // The run moved: w after 100 steps is far from the start.
  EXPECT_GT((ref_w[2] - ref_w[0]).abs().max().item<double>(), 0.5);
}

// attribute computes the w statistics once and hands them to every Projector: the same run as computing them.
TEST(Projection, PrecomputedWStatisticsGiveTheSameRun) {
  LoadedModel m = load_model(kFixtures + "/skip_rgb32.pkl");
  auto distance = builtin_image_distance();
  ProjectionOptions options;
  options.steps = 4;
  options.w_avg_samples = 300;
  const WStatistics stats = w_statistics(m.G, 300, std::nullopt);
  Projector a(m.G, ref("skip_rgb32_target.npy"), *distance, options);
  Projector b(m.G, ref("skip_rgb32_target.npy"), *distance, options, &stats);
  EXPECT_TRUE(torch::equal(a.w_avg(), stats.w_avg));
  EXPECT_EQ(a.w_std(), stats.w_std);
  while (!a.done()) a.step(), b.step();
  EXPECT_TRUE(torch::equal(a.ws(), b.ws()));
  EXPECT_THROW(w_statistics(m.G, 0, std::nullopt), InputError);
}

TEST(Projection, LeavesTheModelItsOwnNoiseAndSupportsWPlus) {
  LoadedModel m = load_model(kFixtures + "/skip_rgb32.pkl");
  const auto before = m.G->synthesis->blocks[1]->conv0->noise_const.clone();
  auto distance = builtin_image_distance();
  ProjectionOptions options;
  options.steps = 5;
  options.wplus = true;
  options.w_avg_samples = 100;
  Projector projector(m.G, ref("skip_rgb32_target.npy"), *distance, options);
  while (!projector.done()) projector.step();
  EXPECT_TRUE(torch::equal(before, m.G->synthesis->blocks[1]->conv0->noise_const));
  const auto ws = projector.ws();
  ASSERT_EQ(ws.sizes(), (std::vector<int64_t>{1, 8, 32}));
  EXPECT_GT((ws[0] - ws[0][0]).abs().max().item<float>(), 0.0f);  // each layer its own w
}

// The end-to-end bar, without the VGG16 file: for an image the default model generated, 300 steps
// bring the image of the projected w (const noise) to at most a quarter of the squared error of the mean
// w's image.
TEST(Projection, BuiltinDistanceRecoversAGeneratedImage) {
  LoadedModel m = load_model(std::string(STYLESCOPE_MODELS_DIR) + "/default.safetensors");
  Renderer renderer(m.G, torch::kCPU);
  const auto target_ws = renderer.ws_for(LatentRequest{17, 9, 1.0, std::nullopt, false});
  const auto target = ((render_const(m.G, target_ws)[0] + 1) * 127.5).clamp(0, 255).round();
  auto distance = builtin_image_distance();
  ProjectionOptions options;
  options.steps = 300;
  options.class_idx = 9;
  Projector projector(m.G, target, *distance, options);
  while (!projector.done()) projector.step();
  const auto as_255 = [&](const torch::Tensor& ws) { return (render_const(m.G, ws)[0] + 1) * 127.5; };
  const double mean_error =
      (as_255(projector.w_avg().unsqueeze(1).repeat({1, m.G->synthesis->num_ws, 1})) - target)
          .square()
          .mean()
          .item<double>();
  const double projected_error = (as_255(projector.ws()) - target).square().mean().item<double>();
  RecordProperty("mean_w_error", std::to_string(mean_error));
  RecordProperty("projected_error", std::to_string(projected_error));
  EXPECT_LE(projected_error, mean_error / 4) << "mean w " << mean_error << ", projected " << projected_error;
}

TEST(Projection, TargetsAreCroppedResizedAndConverted) {
  Image8 wide{6, 4, 3, std::vector<uint8_t>(6 * 4 * 3, 200)};
  const ProjectionTarget t = prepare_projection_target(wide, 8, 1);
  EXPECT_EQ(t.chw.sizes(), (std::vector<int64_t>{1, 8, 8}));
  EXPECT_EQ(t.chw.scalar_type(), torch::kUInt8);
  ASSERT_EQ(t.notes.size(), 3u);
  EXPECT_NE(t.notes[0].find("6x4"), std::string::npos);
  EXPECT_NE(t.notes[2].find("RGB converted to gray"), std::string::npos);
  EXPECT_EQ(t.chw.min().item<int>(), 200);  // a flat colour stays flat (luma of gray 200 is 200)
  Image8 exact{8, 8, 3, std::vector<uint8_t>(8 * 8 * 3, 7)};
  EXPECT_TRUE(prepare_projection_target(exact, 8, 3).notes.empty());
}

TEST(Projection, BadInputsNameTheFile) {
  const std::string not_image = testing::TempDir() + "/not_an_image.png";
  std::ofstream(not_image) << "plain text";
  try {
    load_projection_target(not_image, 32, 3);
    FAIL() << "a text file was read as an image";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("not_an_image.png"), std::string::npos) << e.what();
  }
  try {
    load_vgg16_lpips(kFixtures + "/skip_rgb32.pkl", torch::kCPU);
    FAIL() << "a pickle was loaded as TorchScript";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("skip_rgb32.pkl: not a TorchScript file"), std::string::npos)
        << e.what();
  }
  try {
    load_vgg16_lpips(kFixtures + "/vgg16_wrong_signature.pt", torch::kCPU);
    FAIL() << "a module without return_lpips was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("resize_images"), std::string::npos) << e.what();
  }
  LoadedModel m = load_model(kFixtures + "/skip_rgb32.pkl");
  auto distance = builtin_image_distance();
  EXPECT_THROW(Projector(m.G, torch::zeros({1, 32, 32}), *distance, ProjectionOptions{}), InputError);
}

// The fixture module loads with torch::jit::load and its LPIPS features give the distance the official
// code computes: zero for an image against itself, symmetric, positive otherwise; gray images are compared
// as RGB.
TEST(Projection, Vgg16FeaturesBehaveAsADistance) {
  auto lpips = load_vgg16_lpips(kFixtures + "/vgg16_fixture.pt", torch::kCPU);
  torch::manual_seed(1);
  const auto a = torch::rand({2, 3, 16, 16}) * 255, b = torch::rand({2, 3, 16, 16}) * 255;
  const auto fa = lpips->features(a), fb = lpips->features(b);
  EXPECT_EQ(fa.size(0), 2);
  EXPECT_EQ(lpips->distance(fa, fa).abs().max().item<float>(), 0.0f);
  EXPECT_TRUE(torch::allclose(lpips->distance(fa, fb), lpips->distance(fb, fa)));
  EXPECT_GT(lpips->distance(fa, fb).min().item<float>(), 0.0f);
  const auto gray = a.narrow(1, 0, 1);
  EXPECT_TRUE(torch::equal(lpips->features(gray), lpips->features(gray.repeat({1, 3, 1, 1}))));
}

}  // namespace
}  // namespace stylescope
