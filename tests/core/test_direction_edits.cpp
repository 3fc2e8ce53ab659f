// Edits (w_l += α·scale·d on a layer range), --alpha parsing, mean-difference directions and the
// dirs.npy + dirs.json files.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/io/errors.h"
#include "core/io/npy.h"
#include "core/latent/direction_compute.h"
#include "core/latent/direction_file.h"
#include "core/latent/latents.h"
#include "core/model/model_file.h"
#include "core/render/renderer.h"

namespace stylescope {
namespace {

namespace fs = std::filesystem;
const std::string kFixtures = STYLESCOPE_FIXTURES_DIR;

DirectionSet two_directions(int64_t w_dim, int64_t num_ws) {
  DirectionSet set;
  set.method = "user";
  set.scale_unit = "w";
  set.num_ws = num_ws;
  set.vectors = torch::randn({2, w_dim});
  Direction a, b;
  a.layers = all_layers(num_ws);
  b.layers = {0, 1};
  b.scale = 0.5;
  set.directions = {a, b};
  return set;
}

TEST(Edits, ZeroAlphaIsBitIdentical) {
  torch::manual_seed(3);
  const auto ws = torch::randn({3, 8, 32});
  const auto set = two_directions(32, 8);
  EXPECT_TRUE(torch::equal(apply_edits(ws, set, {{0, 0.0}, {1, 0.0}}), ws));
  EXPECT_TRUE(torch::equal(apply_edits(ws, set, {}), ws));
  // -0.0 is zero too.
  EXPECT_TRUE(torch::equal(apply_edits(ws, set, {{0, -0.0}}), ws));
}

TEST(Edits, MoveOnlyTheDirectionsLayersByAlphaTimesScale) {
  torch::manual_seed(4);
  const auto ws = torch::randn({2, 8, 32});
  const auto set = two_directions(32, 8);
  const auto edited = apply_edits(ws, set, {{1, 3.0}});
  const auto step = set.vectors[1] * 1.5f;  // α 3 × scale 0.5
  for (int l = 0; l < 8; ++l) {
    SCOPED_TRACE(l);
    if (l < 2)
      EXPECT_TRUE(torch::allclose(edited.select(1, l), ws.select(1, l) + step, 1e-6, 1e-6));
    else
      EXPECT_TRUE(torch::equal(edited.select(1, l), ws.select(1, l)));  // untouched, bit for bit
  }
  // An override replaces the direction's own range; edits add up.
  const auto only5 = apply_edits(ws, set, {{0, 1.0}}, std::vector<int>{5});
  EXPECT_TRUE(torch::equal(only5.select(1, 4), ws.select(1, 4)));
  EXPECT_TRUE(torch::allclose(only5.select(1, 5), ws.select(1, 5) + set.vectors[0]));
  const auto both = apply_edits(ws, set, {{0, 1.0}, {1, 2.0}});
  EXPECT_TRUE(
      torch::allclose(both.select(1, 0), ws.select(1, 0) + set.vectors[0] + set.vectors[1], 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(both.select(1, 7), ws.select(1, 7) + set.vectors[0], 1e-5, 1e-5));
  // [num_ws, w_dim] works as well.
  EXPECT_TRUE(torch::equal(apply_edits(ws[0], set, {{1, 3.0}}), edited[0]));
}

TEST(Edits, RejectBadIndicesLayersAndWDim) {
  const auto set = two_directions(32, 8);
  EXPECT_THROW(apply_edits(torch::zeros({1, 8, 32}), set, {{2, 1.0}}), InputError);
  EXPECT_THROW(apply_edits(torch::zeros({1, 8, 16}), set, {{0, 1.0}}), InputError);
  EXPECT_THROW(apply_edits(torch::zeros({1, 6, 32}), set, {{0, 1.0}}), InputError);  // layer 7 missing
}

TEST(Edits, ImageDistanceGrowsWithAlphaAlongASweep) {
  LoadedModel m = load_model(kFixtures + "/skip_rgb32.pkl");
  Renderer renderer(m.G, torch::kCPU);
  const DirectionSet set = sefa_directions(m.G, {}, 4);
  LatentRequest r;
  r.seed = 2;
  const auto ws = renderer.ws_for(r);
  ForwardOptions fwd;
  const auto base = renderer.synthesize(ws, fwd);
  for (int index = 0; index < 2; ++index)
    for (double sign : {-1.0, 1.0}) {
      double last = 0;
      for (double alpha : {0.5, 1.0, 2.0, 4.0}) {
        const auto img = renderer.synthesize(apply_edits(ws, set, {{index, sign * alpha}}), fwd);
        const double distance = (img - base).pow(2).mean().sqrt().item<double>();
        EXPECT_GT(distance, last) << "direction " << index << " alpha " << sign * alpha;
        last = distance;
      }
    }
  EXPECT_TRUE(torch::equal(renderer.synthesize(apply_edits(ws, set, {{0, 0.0}}), fwd), base));
}

TEST(AlphaList, ParsesPairsAndRejectsEverythingElse) {
  const auto edits = parse_alpha_list("0:2.5,3:-1", 4);
  ASSERT_EQ(edits.size(), 2u);
  EXPECT_EQ(edits[0].index, 0);
  EXPECT_EQ(edits[0].alpha, 2.5);
  EXPECT_EQ(edits[1].index, 3);
  EXPECT_EQ(edits[1].alpha, -1.0);
  EXPECT_EQ(parse_alpha_list("1:1e-1", 2)[0].alpha, 0.1);
  for (const char* bad : {"", "0", "0:", ":1", "a:1", "0:x", "0:1,", "0:1,0:2", "4:1", "-1:1", "0:1:2",
                          "0:nan", "0:inf", "1.5:1"}) {
    SCOPED_TRACE(bad);
    EXPECT_THROW(parse_alpha_list(bad, 4), InputError);
  }
  try {
    parse_alpha_list("7:1", 4);
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("--alpha: '7:1' names direction 7 but the set has directions 0..3"),
              std::string::npos)
        << e.what();
  }
}

TEST(LayerRange, AllOrAList) {
  EXPECT_EQ(parse_layer_range("all", 4), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(parse_layer_range("2,0-1,1", 4), (std::vector<int>{0, 1, 2}));
  EXPECT_THROW(parse_layer_range("0-4", 4), InputError);
  EXPECT_THROW(parse_layer_range("most", 4), InputError);
}

TEST(MeanDifference, AlphaOneMovesMeanAToMeanB) {
  torch::manual_seed(5);
  const auto a = torch::randn({5, 8, 32});
  const auto b = torch::randn({3, 32}) + 2.0;
  const auto set = mean_difference_direction(a, b, 8, {});
  ASSERT_EQ(set.size(), 1);
  EXPECT_NEAR(set.vectors[0].norm().item<double>(), 1.0, 1e-6);
  const auto mean_a = a.reshape({-1, 32}).mean(0), mean_b = b.mean(0);
  const auto moved = apply_edits(mean_a.expand({8, 32}), set, {{0, 1.0}});
  EXPECT_LT((moved - mean_b).abs().max().item<float>(), 1e-5);
  EXPECT_THROW(mean_difference_direction(a, a, 8, {}), InputError);
  EXPECT_THROW(mean_difference_direction(a, torch::randn({2, 16}), 8, {}), InputError);
}

class DirectionFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("stylescope_dirs_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  void write_text(const std::string& name, const std::string& text) const {
    std::ofstream(path(name)) << text;
  }
  fs::path dir_;
};

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST_F(DirectionFiles, RoundTripKeepsEverything) {
  torch::manual_seed(6);
  DirectionSet set = two_directions(32, 8);
  set.method = "pca";
  set.scale_unit = "stddev";
  set.model_hash = "abc123";
  set.directions[0].name = "smile";
  set.directions[0].stddev = 2.0;
  set.directions[0].explained_variance = 0.25;
  set.directions[1].eigenvalue = 7.5;
  set.details = {{"samples", 10}};
  save_direction_set(path("d.npy"), set);
  ASSERT_TRUE(fs::exists(path("d.json")));
  const RawTensor raw = read_npy(path("d.npy"));
  EXPECT_EQ(raw.dtype, DType::Float32);
  EXPECT_EQ(raw.shape, (std::vector<int64_t>{2, 32}));
  const DirectionSet back = load_direction_set(path("d.npy"), 32, 8);
  EXPECT_TRUE(torch::equal(back.vectors, set.vectors));
  EXPECT_EQ(back.method, "pca");
  EXPECT_EQ(back.scale_unit, "stddev");
  EXPECT_EQ(back.model_hash, "abc123");
  EXPECT_EQ(back.directions[0].name, "smile");
  EXPECT_EQ(back.directions[0].layers, all_layers(8));
  EXPECT_EQ(*back.directions[0].stddev, 2.0);
  EXPECT_EQ(*back.directions[0].explained_variance, 0.25);
  EXPECT_FALSE(back.directions[0].eigenvalue);
  EXPECT_EQ(back.directions[1].layers, (std::vector<int>{0, 1}));
  EXPECT_EQ(back.directions[1].scale, 0.5);
  EXPECT_EQ(*back.directions[1].eigenvalue, 7.5);
  EXPECT_EQ(back.details["samples"], 10);
  // Nothing but the two files is left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 2);
}

TEST_F(DirectionFiles, BareNpyIsAUserSetAndOneVectorIsOneDirection) {
  std::vector<float> v(32, 0.25f);
  write_npy(path("b.npy"), TensorRef{DType::Float32, {32}, v.data()});
  const DirectionSet set = load_direction_set(path("b.npy"), 32, 8);
  EXPECT_EQ(set.method, "user");
  ASSERT_EQ(set.size(), 1);
  EXPECT_EQ(set.directions[0].layers, all_layers(8));
  EXPECT_EQ(set.directions[0].scale, 1.0);
  std::vector<double> d(3 * 32, 1.0);
  write_npy(path("f64.npy"), TensorRef{DType::Float64, {3, 32}, d.data()});
  EXPECT_EQ(load_direction_set(path("f64.npy"), 32, 8).size(), 3);
}

TEST_F(DirectionFiles, BadFilesAreInputErrorsNamingTheFile) {
  std::vector<float> v(2 * 16, 1.0f);
  write_npy(path("narrow.npy"), TensorRef{DType::Float32, {2, 16}, v.data()});
  EXPECT_EQ(error_of([&] { load_direction_set(path("narrow.npy"), 32, 8); }),
            path("narrow.npy") +
                ": directions have shape [2, 16], expected [k, 32] (k directions in this model's w space)");
  std::vector<float> v3(2 * 8 * 32, 1.0f);
  write_npy(path("ws.npy"), TensorRef{DType::Float32, {2, 8, 32}, v3.data()});
  EXPECT_NE(error_of([&] { load_direction_set(path("ws.npy"), 32, 8); }).find("[2, 8, 32]"),
            std::string::npos);
  std::vector<int32_t> ints(32, 1);
  write_npy(path("int.npy"), TensorRef{DType::Int32, {1, 32}, ints.data()});
  EXPECT_NE(error_of([&] { load_direction_set(path("int.npy"), 32, 8); }).find("int32"), std::string::npos);
  std::vector<float> nan(32, std::nanf(""));
  write_npy(path("nan.npy"), TensorRef{DType::Float32, {1, 32}, nan.data()});
  EXPECT_NE(error_of([&] { load_direction_set(path("nan.npy"), 32, 8); }).find("NaN"), std::string::npos);
  EXPECT_NE(error_of([&] { load_direction_set(path("missing.npy"), 32, 8); }).find("missing.npy"),
            std::string::npos);

  // Sidecars that disagree with the .npy or the model.
  DirectionSet set = two_directions(32, 8);
  save_direction_set(path("s.npy"), set);
  const std::string json = path("s.json");
  EXPECT_NE(error_of([&] {
              load_direction_set(path("s.npy"), 32, 6);
            }).find(json + ": was made for a model with 8"),
            std::string::npos);
  write_text("s.json", "{ not json");
  EXPECT_NE(error_of([&] { load_direction_set(path("s.npy"), 32, 8); }).find(json + ": is not valid JSON"),
            std::string::npos);
  write_text("s.json",
             R"({"format": "stylescope-directions/1", "w_dim": 32, "directions": [{"layers": [0]}]})");
  EXPECT_NE(error_of([&] {
              load_direction_set(path("s.npy"), 32, 8);
            }).find("lists 1 directions but the .npy holds 2"),
            std::string::npos);
  write_text("s.json", R"({"format": "stylescope-directions/1", "w_dim": 32,
                           "directions": [{"layers": [0]}, {"layers": [9]}]})");
  EXPECT_NE(error_of([&] { load_direction_set(path("s.npy"), 32, 8); }).find("direction 1 edits layer 9"),
            std::string::npos);
  write_text("s.json", R"({"format": "stylescope-directions/1", "w_dim": 32,
                           "directions": [{"layers": [0]}, {"layers": [1], "scale": -1}]})");
  EXPECT_NE(error_of([&] { load_direction_set(path("s.npy"), 32, 8); }).find("scale"), std::string::npos);
  write_text("s.json", R"({"format": "stylescope-directions/1", "w_dim": 32,
                           "directions": [{"layers": [0]}, {"layers": "x"}]})");
  EXPECT_NE(
      error_of([&] { load_direction_set(path("s.npy"), 32, 8); }).find(json + ": has an unexpected value"),
      std::string::npos);
  write_text("s.json", R"({"w_dim": 32})");
  EXPECT_NE(error_of([&] { load_direction_set(path("s.npy"), 32, 8); }).find("not a direction-set sidecar"),
            std::string::npos);
}

}  // namespace
}  // namespace stylescope
