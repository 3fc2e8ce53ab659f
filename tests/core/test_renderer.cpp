// The Renderer's mapping cache: synthesis-only changes never re-run the mapping network.
#include <gtest/gtest.h>

#include "core/io/errors.h"
#include "core/latent/latents.h"
#include "core/model/model_file.h"
#include "core/render/renderer.h"

namespace stylescope {
namespace {

const std::string kFixtures = STYLESCOPE_FIXTURES_DIR;

TEST(Renderer, MappingResultsAreCachedPerLatentRequest) {
  LoadedModel m = load_model(kFixtures + "/skip_rgb32.pkl");
  Renderer r(m.G, torch::kCPU);
  LatentRequest a;
  a.seed = 4;
  a.psi = 0.7;
  auto first = r.ws_for(a);
  EXPECT_EQ(r.cache().misses(), 1u);
  auto again = r.ws_for(a);
  EXPECT_EQ(r.cache().hits(), 1u);
  EXPECT_TRUE(torch::equal(first, again));
  // Synthesis-only inputs (noise mode) do not touch the cache.
  ForwardOptions opt;
  opt.noise_mode = NoiseMode::None;
  r.synthesize(again, opt);
  EXPECT_EQ(r.cache().misses(), 1u);
  // Any mapping input is part of the key.
  LatentRequest b = a;
  b.psi = 0.5;
  auto other = r.ws_for(b);
  EXPECT_EQ(r.cache().misses(), 2u);
  EXPECT_FALSE(torch::equal(first, other));
  // The cached value is what the mapping network gives.
  torch::NoGradGuard guard;
  auto direct = m.G->mapping->forward(seed_z(4, 32), {}, 0.7, std::nullopt);
  EXPECT_TRUE(torch::equal(first, direct));
}

TEST(MappingCache, EvictsLeastRecentlyUsed) {
  MappingCache cache(2);
  LatentRequest a, b, c;
  a.seed = 1;
  b.seed = 2;
  c.seed = 3;
  cache.put(a, torch::ones({1}));
  cache.put(b, torch::ones({1}) * 2);
  EXPECT_TRUE(cache.get(a).has_value());  // a is now the most recent
  cache.put(c, torch::ones({1}) * 3);     // evicts b
  EXPECT_FALSE(cache.get(b).has_value());
  EXPECT_TRUE(cache.get(a).has_value());
  EXPECT_TRUE(cache.get(c).has_value());
}

TEST(Latents, StyleMixingAndLayerLists) {
  auto row = torch::zeros({1, 8, 4}), col = torch::ones({1, 8, 4});
  auto mixed = mix_styles(row, col, parse_layers("0-2,5", 8));
  EXPECT_EQ(mixed.sum(1).select(1, 0).item<float>(), 4.0f);
  EXPECT_EQ(mixed[0][5][0].item<float>(), 1.0f);
  EXPECT_EQ(mixed[0][3][0].item<float>(), 0.0f);
  EXPECT_THROW(parse_layers("0-8", 8), InputError);
  EXPECT_THROW(parse_layers("a", 8), InputError);
  EXPECT_THROW(class_label(5, std::nullopt), InputError);
  EXPECT_THROW(class_label(0, 1), InputError);
  EXPECT_EQ(class_label(5, 2).argmax().item<int64_t>(), 2);
}

}  // namespace
}  // namespace stylescope
