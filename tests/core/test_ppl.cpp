// Perceptual path length against the official metrics/perceptual_path_length.py (PPLSampler run on the
// fixtures with the fixture VGG16 by tests/fixtures/make_projection_references.py).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/io/errors.h"
#include "core/io/npy.h"
#include "core/metrics/ppl.h"
#include "core/model/model_file.h"
#include "core/render/seeded_generator.h"
#include "core/train/training_networks.h"

namespace stylescope {
namespace {

const std::string kFixtures = STYLESCOPE_FIXTURES_DIR;
const std::string kRef = kFixtures + "/ref/projection/";

nlohmann::json facts() {
  std::ifstream in(kRef + "projection.json");
  return nlohmann::json::parse(in);
}

// Float64 as stored (to_torch() would round to float32).
std::vector<double> doubles(const std::string& file) {
  const RawTensor raw = read_npy(kRef + file);
  EXPECT_EQ(raw.dtype, DType::Float64) << file;
  std::vector<double> out(static_cast<size_t>(raw.numel()));
  std::memcpy(out.data(), raw.storage.data + raw.offset * 8, out.size() * 8);
  return out;
}

torch::Tensor one_hot(int c_dim, int k) {
  auto c = torch::zeros({c_dim});
  c[k] = 1;
  return c;
}

TEST(Ppl, PerSampleDistancesMatchTheOfficialSampler) {
  auto lpips = load_vgg16_lpips(kFixtures + "/vgg16_fixture.pt", torch::kCPU);
  for (const auto& c : facts()["ppl"]) {
    const std::string name = c["case"];
    SCOPED_TRACE(name);
    LoadedModel m = load_model(kFixtures + "/" + c["fixture"].get<std::string>() + ".pkl");
    PplSettings s = ppl_settings(c["metric"]);
    EXPECT_EQ(s.space_w, c["space"] == "w");
    EXPECT_EQ(s.sampling_full, c["sampling"] == "full");
    EXPECT_EQ(s.crop, c["crop"].get<bool>());
    const auto ref = doubles(name + "_dist.npy");
    const std::vector<int> classes = c["classes"];
    const int c_dim = m.config.c_dim;
    PplResult r = compute_ppl(
        m.G, *lpips,
        [&] {
          s.samples = static_cast<int64_t>(ref.size());
          return s;
        }(),
        c["seed"].get<uint64_t>(),
        [&](int64_t i) { return one_hot(c_dim, classes.at(static_cast<size_t>(i))); });
    ASSERT_EQ(r.distances.size(), ref.size());
    for (size_t i = 0; i < ref.size(); ++i) EXPECT_NEAR(r.distances[i], ref[i], 1e-3 * ref[i] + 1e-6) << i;
    EXPECT_NEAR(r.value, c["ppl"].get<double>(), 1e-3 * c["ppl"].get<double>());
  }
}

TEST(Ppl, TrimmedMeanIsTheOfficialReduction) {
  // 500 values: the 1st-percentile cut (lower) and 99th (higher) drop the 4 smallest and 4 largest; numpy
  // sums pairwise, hence the tolerance.
  const auto values = doubles("trim_values.npy");
  EXPECT_NEAR(ppl_trimmed_mean(values), facts()["trim_values_mean"].get<double>(), 1e-12);
  double all = 0;
  for (double v : values) all += v / static_cast<double>(values.size());
  EXPECT_GT(std::abs(all - ppl_trimmed_mean(values)), 1e-3);  // the trimming matters for these values
  EXPECT_DOUBLE_EQ(ppl_trimmed_mean({5.0}), 5.0);
  EXPECT_THROW(ppl_trimmed_mean({}), InputError);
}

TEST(Ppl, SettingsFollowTheOfficialNames) {
  EXPECT_FALSE(ppl_settings("ppl2_wend").crop);
  EXPECT_TRUE(ppl_settings("ppl_wend").crop);
  EXPECT_FALSE(ppl_settings("ppl_zfull").space_w);
  EXPECT_EQ(ppl_settings("ppl_wfull").samples, 50000);
  EXPECT_EQ(ppl_settings("ppl_wfull").batch, 2);
  try {
    ppl_settings("fid50k");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("ppl_zfull, ppl_wfull"), std::string::npos) << e.what();
  }
}

TEST(Ppl, TheModelsOwnNoiseIsUntouched) {
  auto lpips = load_vgg16_lpips(kFixtures + "/vgg16_fixture.pt", torch::kCPU);
  LoadedModel m = load_model(kFixtures + "/skip_rgb32.pkl");
  const auto before = m.G->synthesis->blocks[2]->conv1->noise_const.clone();
  PplSettings s = ppl_settings("ppl_wend");
  s.samples = 4;
  compute_ppl(m.G, *lpips, s, 0, {});
  EXPECT_TRUE(torch::equal(before, m.G->synthesis->blocks[2]->conv1->noise_const));
}

}  // namespace
}  // namespace stylescope
