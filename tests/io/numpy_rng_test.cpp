#include "core/latent/numpy_rng.h"

#include <cstring>

#include "core/io/npy.h"
#include "io_test_util.h"

namespace stylescope {
namespace {

// spec §6.1 test vectors.
TEST(NumpyRng, SpecVectors) {
  EXPECT_EQ(seed_to_z(0, 4), (std::vector<double>{1.764052345967664, 0.40015720836722329, 0.9787379841057392,
                                                  2.2408931992014578}));
  EXPECT_EQ(seed_to_z(42, 4), (std::vector<double>{0.49671415301123267, -0.13826430117118466,
                                                   0.64768853810069249, 1.5230298564080254}));
  NumpyRandomState rs(0);
  EXPECT_EQ(rs.next_uint32(), 2357136044u);
  EXPECT_EQ(rs.next_uint32(), 2546248239u);
  EXPECT_EQ(rs.next_uint32(), 3071714933u);
}

// generate.py's z = RandomState(seed).randn(1, 512) for seeds up to 2^32-1, saved by numpy.
TEST(NumpyRng, SeedToZMatchesNumpy) {
  const nlohmann::json data = test::load_json("rng_vectors.json");
  const std::vector<uint32_t> seeds = data["randn_seeds"].get<std::vector<uint32_t>>();
  const RawTensor z = read_npy(test::io_data("rng_randn_1x512.npy"));
  ASSERT_EQ(z.dtype, DType::Float64);
  ASSERT_EQ(z.shape, (std::vector<int64_t>{static_cast<int64_t>(seeds.size()), 512}));
  for (size_t s = 0; s < seeds.size(); ++s) {
    std::vector<double> expected(512);
    std::memcpy(expected.data(), z.storage.data + s * 512 * 8, 512 * 8);
    EXPECT_EQ(seed_to_z(seeds[s], 512), expected) << "seed " << seeds[s];
  }
}

std::vector<double> hexes(const nlohmann::json& values) {
  std::vector<double> out;
  for (const auto& v : values) out.push_back(test::hex_double(v));
  return out;
}

TEST(NumpyRng, RawOutputsAcrossRegenerations) {
  const nlohmann::json data = test::load_json("rng_vectors.json");
  for (const auto& raw : data["raw_uint32"]) {
    NumpyRandomState rs(raw["seed"].get<uint32_t>());
    const std::vector<uint32_t> expected = raw["values"].get<std::vector<uint32_t>>();
    ASSERT_EQ(expected.size(), 700u);
    std::vector<uint32_t> got;
    for (size_t i = 0; i < expected.size(); ++i) got.push_back(rs.next_uint32());
    EXPECT_EQ(got, expected) << "seed " << raw["seed"];
  }
}

TEST(NumpyRng, RandomSample) {
  const nlohmann::json data = test::load_json("rng_vectors.json")["random_sample"];
  NumpyRandomState rs(data["seed"].get<uint32_t>());
  for (double expected : hexes(data["values"])) EXPECT_EQ(rs.random_sample(), expected);
}

TEST(NumpyRng, GaussCacheCarriesOverBetweenCalls) {
  const nlohmann::json all = test::load_json("rng_vectors.json");
  const nlohmann::json& continued = all["continued_randn"];
  NumpyRandomState rs(continued["seed"].get<uint32_t>());
  EXPECT_EQ(rs.randn(3), hexes(continued["first"]));
  EXPECT_EQ(rs.randn(4), hexes(continued["second"]));

  const nlohmann::json& interleaved = all["interleaved"];
  NumpyRandomState rs2(interleaved["seed"].get<uint32_t>());
  for (const auto& step : interleaved["sequence"]) {
    const double expected = test::hex_double(step[1]);
    EXPECT_EQ(step[0] == "randn" ? rs2.gauss() : rs2.random_sample(), expected) << step[0];
  }
}

// The projector's RandomState(123).randn(10000, 512): thousands of regenerations and rejections.
TEST(NumpyRng, LongRun) {
  const nlohmann::json data = test::load_json("rng_vectors.json")["long_run"];
  NumpyRandomState rs(data["seed"].get<uint32_t>());
  std::vector<double> values(data["count"].get<size_t>());
  rs.randn(values.data(), values.size());
  const std::vector<double> expected = hexes(data["values"]);
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(values[data["indices"][i].get<size_t>()], expected[i]);
}

TEST(NumpyRng, ShuffleMatchesNumpy) {
  const nlohmann::json cases = test::load_json("rng_vectors.json")["shuffle"];
  for (const auto& c : cases) {
    std::vector<int64_t> items = c["input"].get<std::vector<int64_t>>();
    NumpyRandomState(c["seed"].get<uint32_t>()).shuffle(items);
    EXPECT_EQ(items, c["result"].get<std::vector<int64_t>>()) << "seed " << c["seed"];
  }
  NumpyRandomState rs(1);
  EXPECT_EQ(rs.random_interval(0), 0u);
  for (int i = 0; i < 1000; ++i) EXPECT_LE(rs.random_interval(5), 5u);
  for (int i = 0; i < 100; ++i) EXPECT_LE(rs.random_interval(uint64_t{1} << 40), uint64_t{1} << 40);
}

TEST(NumpyRng, SeedRange) {
  EXPECT_EQ(NumpyRandomState::from_seed(4294967295LL).next_uint32(),
            NumpyRandomState(4294967295u).next_uint32());
  test::expect_input_error([] { NumpyRandomState::from_seed(-1); }, {"seed -1 is out of range"});
  test::expect_input_error([] { NumpyRandomState::from_seed(4294967296LL); },
                           {"seed 4294967296", "4294967295"});
  EXPECT_TRUE(seed_to_z(7, 0).empty());
  EXPECT_THROW(seed_to_z(7, -1), std::invalid_argument);
}

}  // namespace
}  // namespace stylescope
