// Resolution usage (the StyleGAN2 paper's Fig. 8) and the bar chart that shows it.
#include <gtest/gtest.h>

#include <numeric>

#include "core/io/errors.h"
#include "core/metrics/resolution_usage.h"
#include "core/model/model_file.h"
#include "core/render/bar_chart.h"
#include "core/render/renderer.h"

namespace stylescope {
namespace {

const std::string kFixtures = STYLESCOPE_FIXTURES_DIR;

TEST(ResolutionUsage, SharesSumToOneAndTheSkipSumsBuildTheImage) {
  LoadedModel m = load_model(kFixtures + "/skip_rgb32.pkl");
  Renderer renderer(m.G, torch::kCPU);
  const auto ws = renderer.ws_for(LatentRequest{3, std::nullopt, 1.0, std::nullopt, false});
  const ResolutionContributions c = contributions_of_ws(m.G, ws, ForwardOptions{});
  EXPECT_EQ(c.resolutions, std::vector<int>({4, 8, 16, 32}));
  ASSERT_EQ(c.share.size(), 4u);
  EXPECT_NEAR(std::accumulate(c.share.begin(), c.share.end(), 0.0), 1.0, 1e-12);
  for (double s : c.share) EXPECT_GT(s, 0.0);
  // The skip sum up to the last resolution is the image itself; earlier sums are coarser images.
  ASSERT_EQ(c.partial_images.sizes(), (std::vector<int64_t>{4, 3, 32, 32}));
  const auto image = renderer.synthesize(ws, ForwardOptions{}, 1)[0];
  EXPECT_LT((c.partial_images[3] - image).abs().max().item<float>(), 1e-5);
  EXPECT_GT((c.partial_images[0] - image).abs().max().item<float>(), 1e-3);
}

TEST(ResolutionUsage, TheMeanIsTheMeanOfTheSamplesShares) {
  LoadedModel m = load_model(kFixtures + "/skip_rgb32.pkl");
  Renderer renderer(m.G, torch::kCPU);
  std::vector<torch::Tensor> ws;
  for (uint32_t seed : {1u, 2u, 5u})
    ws.push_back(renderer.ws_for(LatentRequest{seed, std::nullopt, 0.7, std::nullopt, false}));
  const auto all = torch::cat(ws);
  int64_t last_progress = 0;
  const ResolutionContributions mean =
      mean_contributions(m.G, all, ForwardOptions{}, 2, [&](int64_t done) { last_progress = done; });
  EXPECT_EQ(last_progress, 3);
  std::vector<double> expected(4, 0.0);
  for (const auto& w : ws) {
    const auto one = contributions_of_ws(m.G, w, ForwardOptions{});
    for (size_t i = 0; i < 4; ++i) expected[i] += one.share[i] / 3;
  }
  for (size_t i = 0; i < 4; ++i) EXPECT_NEAR(mean.share[i], expected[i], 1e-6);
}

TEST(ResolutionUsage, OnlySkipGeneratorsHaveIt) {
  LoadedModel m = load_model(kFixtures + "/orig_cond32.pkl");
  const auto ws = torch::zeros({1, m.config.num_ws(), m.config.w_dim});
  EXPECT_THROW(contributions_of_ws(m.G, ws, ForwardOptions{}), UnsupportedError);
}

TEST(ResolutionUsage, SkipBlockOutputNames) {
  const auto torgb = parse_skip_block_output("b16.torgb");
  ASSERT_TRUE(torgb);
  EXPECT_EQ(torgb->resolution, 16);
  EXPECT_TRUE(torgb->torgb);
  const auto img = parse_skip_block_output("b1024.img");
  ASSERT_TRUE(img);
  EXPECT_EQ(img->resolution, 1024);
  EXPECT_FALSE(img->torgb);
  for (const char* other : {"b16.conv0", "b4.const", "mapping.fc0", "b.torgb", "bx.img", "b16torgb", "", "b"})
    EXPECT_FALSE(parse_skip_block_output(other)) << other;
}

TEST(BarChart, BarsAreAsTallAsTheirValues) {
  const BarChart full = draw_bar_chart({1.0, 0.0}, {"4", "8"});
  const BarChart half = draw_bar_chart({0.5, 0.5}, {"4", "8"});
  ASSERT_EQ(full.width, half.width);
  ASSERT_EQ(full.rgb.size(), static_cast<size_t>(full.width) * full.height * 3);
  auto bar_pixels = [](const BarChart& c, int column_x) {
    int n = 0;
    for (int y = 0; y < c.height; ++y) {
      const uint8_t* p = &c.rgb[(static_cast<size_t>(y) * c.width + column_x) * 3];
      n += p[0] == 70 && p[1] == 110 && p[2] == 170;
    }
    return n;
  };
  const int first_bar = 24 + 28;  // margin + half a bar
  EXPECT_EQ(bar_pixels(full, first_bar), 200);
  EXPECT_EQ(bar_pixels(half, first_bar), 100);
  EXPECT_EQ(bar_pixels(full, first_bar + 80), 0);
}

}  // namespace
}  // namespace stylescope
