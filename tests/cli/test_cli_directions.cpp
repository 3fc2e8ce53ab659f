// directions, edit and generate/mix --directions, end to end.
#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/io/image.h"
#include "core/io/npy.h"
#include "tests/cli/cli_harness.h"

namespace stylescope::test {
namespace {

const std::string kModel = kFixtures + "/skip_rgb32.pkl";  // w_dim 32, num_ws 8, 32x32 RGB

// One thread: these tiny models run fastest so, and the tests share the machine with others.
RunResult run(std::vector<std::string> args) {
  args.insert(args.end(), {"--threads", "1"});
  return test::run(args);
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

double rms_diff(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += (a[i] - b[i]) * double(a[i] - b[i]);
  return std::sqrt(s / a.size());
}

class Directions : public CliTest {
 protected:
  std::string sefa(const std::string& extra_layers = "") {
    const std::string out = dir_ + "/sefa/dirs.npy";
    std::vector<std::string> args = {"directions", "--model", kModel,  "--method", "sefa",
                                     "--k",        "4",       "--out", out};
    if (!extra_layers.empty()) args.insert(args.end(), {"--layers", extra_layers});
    auto r = run(args);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return out;
  }
};

TEST_F(Directions, SefaWritesVectorsAndSidecarMatchingTheReference) {
  const std::string out = sefa();
  std::vector<int64_t> shape;
  const auto vectors = npy_values(out, &shape);
  EXPECT_EQ(shape, (std::vector<int64_t>{4, 32}));
  const auto ref = npy_values(kFixtures + "/ref/sefa/skip_rgb32_all_vectors.npy");
  EXPECT_LT(max_abs_diff(vectors, std::vector<float>(ref.begin(), ref.begin() + 4 * 32)), 1e-5);
  const auto j = read_json(dir_ + "/sefa/dirs.json");
  const auto manifest = read_json(kFixtures + "/ref/sefa/sefa.json");
  EXPECT_EQ(j["format"], "stylescope-directions/1");
  EXPECT_EQ(j["method"], "sefa");
  EXPECT_EQ(j["model_hash"], manifest["skip_rgb32"]["model_hash"]);
  EXPECT_EQ(j["w_dim"], 32);
  EXPECT_EQ(j["num_ws"], 8);
  EXPECT_EQ(j["scale_unit"], "w");
  ASSERT_EQ(j["directions"].size(), 4u);
  EXPECT_EQ(j["directions"][0]["layers"], nlohmann::json({0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_GT(j["directions"][0]["eigenvalue"].get<double>(), j["directions"][1]["eigenvalue"].get<double>());

  // A layer range factorizes those layers only and becomes the edit range.
  auto r = run({"directions", "--model", kModel, "--method", "sefa", "--layers", "0-3", "--names", "a,b",
                "--out", dir_ + "/part.npy"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto part = read_json(dir_ + "/part.json");
  EXPECT_EQ(part["count"], 16);
  EXPECT_EQ(part["directions"][5]["layers"], nlohmann::json({0, 1, 2, 3}));
  EXPECT_EQ(part["directions"][1]["name"], "b");
  const auto part_ref = npy_values(kFixtures + "/ref/sefa/skip_rgb32_layers0-3_vectors.npy");
  EXPECT_LT(max_abs_diff(npy_values(dir_ + "/part.npy"),
                         std::vector<float>(part_ref.begin(), part_ref.begin() + 16 * 32)),
            1e-5);
}

TEST_F(Directions, PcaIsReproducibleAndReportsVariance) {
  for (const char* name : {"a", "b"}) {
    auto r = run({"directions", "--model", kModel, "--method", "pca", "--samples", "2000", "--seed", "3",
                  "--k", "5", "--layers", "2-4", "--out", dir_ + "/" + name + ".npy"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  EXPECT_EQ(npy_values(dir_ + "/a.npy"), npy_values(dir_ + "/b.npy"));
  const auto j = read_json(dir_ + "/a.json");
  EXPECT_EQ(j["method"], "pca");
  EXPECT_EQ(j["scale_unit"], "stddev");
  EXPECT_EQ(j["details"]["samples"], 2000);
  EXPECT_EQ(j["details"]["mean"].size(), 32u);
  double last = 1, sum = 0;
  for (const auto& d : j["directions"]) {
    EXPECT_LE(d["explained_variance"].get<double>(), last);
    last = d["explained_variance"];
    sum += last;
    EXPECT_EQ(d["scale"], d["stddev"]);
    EXPECT_EQ(d["layers"], nlohmann::json({2, 3, 4}));
  }
  EXPECT_LT(sum, 1.0);
}

TEST_F(Directions, MeanDifferenceFromSeedsOrWsFiles) {
  auto r = run({"directions", "--model", kModel, "--method", "mean-diff", "--from", "0-4", "--to", "5-9",
                "--out", dir_ + "/md.npy"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::vector<int64_t> shape;
  npy_values(dir_ + "/md.npy", &shape);
  EXPECT_EQ(shape, (std::vector<int64_t>{1, 32}));
  EXPECT_EQ(read_json(dir_ + "/md.json")["scale_unit"], "mean-difference");
  // From the ws of seed 1 to the ws of seed 2: alpha 1 turns seed 1 into seed 2.
  ASSERT_EQ(
      run({"generate", "--model", kModel, "--seeds", "1-2", "--save-npy", "--out", dir_ + "/g"}).exit_code,
      0);
  r = run({"directions", "--model", kModel, "--method", "mean-diff", "--from", dir_ + "/g/seed0001_w.npy",
           "--to", dir_ + "/g/seed0002_w.npy", "--out", dir_ + "/one.npy"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run({"generate", "--model", kModel, "--seeds", "1", "--directions", dir_ + "/one.npy", "--alpha", "0:1",
           "--save-npy", "--out", dir_ + "/e"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_LT(max_abs_diff(npy_values(dir_ + "/e/seed0001_w.npy"), npy_values(dir_ + "/g/seed0002_w.npy")),
            1e-5);
  EXPECT_EQ(run({"directions", "--model", kModel, "--method", "mean-diff", "--from", "0-4", "--out",
                 dir_ + "/x.npy"})
                .exit_code,
            2);
}

TEST_F(Directions, EditWritesSweepsAndGrids) {
  const std::string dirs = sefa();
  auto r = run({"edit", "--model", kModel, "--seeds", "0-1", "--directions", dirs, "--index", "0", "--index",
                "2", "--range=-2:2", "--steps", "5", "--save-npy", "--out", dir_ + "/edit"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* seed : {"seed0000", "seed0001"})
    for (const char* d : {"d00", "d02"})
      for (int step = 0; step < 5; ++step) {
        char name[64];
        std::snprintf(name, sizeof name, "/edit/%s_%s_%02d.png", seed, d, step);
        EXPECT_TRUE(exists(dir_ + name)) << name;
      }
  for (const char* grid : {"/edit/grid_d00.png", "/edit/grid_d02.png"}) {
    Image8 img = read_image(dir_ + grid);
    EXPECT_EQ(img.width, 5 * 32);   // columns = alphas
    EXPECT_EQ(img.height, 2 * 32);  // rows = seeds
  }
  EXPECT_FALSE(exists(dir_ + "/edit/grid_d01.png"));

  // The middle step is alpha 0: exactly generate's ws and image.
  ASSERT_EQ(
      run({"generate", "--model", kModel, "--seeds", "0", "--save-npy", "--out", dir_ + "/g"}).exit_code, 0);
  EXPECT_EQ(npy_values(dir_ + "/edit/seed0000_d00_02_w.npy"), npy_values(dir_ + "/g/seed0000_w.npy"));
  EXPECT_EQ(npy_values(dir_ + "/edit/seed0000_d00_02.npy"), npy_values(dir_ + "/g/seed0000.npy"));
  // The image moves further from the unedited one as |alpha| grows, on both sides.
  const auto base = npy_values(dir_ + "/g/seed0000.npy");
  auto dist = [&](int step) {
    return rms_diff(npy_values(dir_ + "/edit/seed0000_d00_0" + std::to_string(step) + ".npy"), base);
  };
  EXPECT_GT(dist(0), dist(1));
  EXPECT_GT(dist(1), 0.0);
  EXPECT_GT(dist(4), dist(3));
  EXPECT_GT(dist(3), 0.0);

  // --layers 0-1 edits only ws rows 0 and 1.
  r = run({"edit", "--model", kModel, "--seeds", "0", "--directions", dirs, "--index", "1", "--range", "3:3",
           "--steps", "1", "--layers", "0-1", "--save-npy", "--out", dir_ + "/l"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto edited = npy_values(dir_ + "/l/seed0000_d01_00_w.npy");
  const auto original = npy_values(dir_ + "/g/seed0000_w.npy");
  const auto d1 = npy_values(dirs);
  for (size_t layer = 0; layer < 8; ++layer)
    for (size_t i = 0; i < 32; ++i) {
      const float expected = original[layer * 32 + i] + (layer < 2 ? 3.0f * d1[32 + i] : 0.0f);
      if (layer < 2)
        EXPECT_NEAR(edited[layer * 32 + i], expected, 1e-5);
      else
        EXPECT_EQ(edited[layer * 32 + i], expected);
    }
}

TEST_F(Directions, GenerateAndMixApplyAlpha) {
  const std::string dirs = sefa();
  ASSERT_EQ(run({"generate", "--model", kModel, "--seeds", "4", "--trunc", "0.7", "--save-npy", "--out",
                 dir_ + "/g"})
                .exit_code,
            0);
  auto r = run({"generate", "--model", kModel, "--seeds", "4", "--trunc", "0.7", "--directions", dirs,
                "--alpha", "0:0,3:0", "--save-npy", "--out", dir_ + "/zero"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(npy_values(dir_ + "/zero/seed0004_w.npy"), npy_values(dir_ + "/g/seed0004_w.npy"));
  EXPECT_EQ(npy_values(dir_ + "/zero/seed0004.npy"), npy_values(dir_ + "/g/seed0004.npy"));
  r = run({"generate", "--model", kModel, "--seeds", "4", "--trunc", "0.7", "--directions", dirs, "--alpha",
           "0:2.5,3:-1", "--save-npy", "--out", dir_ + "/e"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // After truncation: w + 2.5 d0 - d3 on every layer.
  const auto d = npy_values(dirs), w = npy_values(dir_ + "/g/seed0004_w.npy");
  const auto e = npy_values(dir_ + "/e/seed0004_w.npy");
  for (size_t layer = 0; layer < 8; ++layer)
    for (size_t i = 0; i < 32; ++i)
      EXPECT_NEAR(e[layer * 32 + i], w[layer * 32 + i] + 2.5f * d[i] - d[3 * 32 + i], 1e-5);
  EXPECT_GT(rms_diff(npy_values(dir_ + "/e/seed0004.npy"), npy_values(dir_ + "/g/seed0004.npy")), 1e-3);

  r = run({"mix", "--model", kModel, "--rows", "1", "--cols", "2", "--styles", "0-1", "--directions", dirs,
           "--alpha", "1:2", "--save-npy", "--out", dir_ + "/m"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_EQ(run({"mix", "--model", kModel, "--rows", "1", "--cols", "2", "--styles", "0-1", "--save-npy",
                 "--out", dir_ + "/m0"})
                .exit_code,
            0);
  const auto mixed = npy_values(dir_ + "/m0/1-2_w.npy"), mixed_edit = npy_values(dir_ + "/m/1-2_w.npy");
  for (size_t i = 0; i < 8 * 32; ++i) EXPECT_NEAR(mixed_edit[i], mixed[i] + 2.0f * d[32 + i % 32], 1e-5);
}

TEST_F(Directions, BadInputExitsWithTwo) {
  const std::string dirs = sefa();
  std::vector<float> narrow(3 * 16, 1.0f);
  write_npy(dir_ + "/narrow.npy", TensorRef{DType::Float32, {3, 16}, narrow.data()});
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"generate", "--model", kModel, "--seeds", "0", "--directions", dir_ + "/narrow.npy", "--alpha",
        "0:1"},
       dir_ + "/narrow.npy: directions have shape [3, 16], expected [k, 32]"},
      {{"generate", "--model", kModel, "--seeds", "0", "--directions", dirs, "--alpha", "0=1"},
       "--alpha: '0=1'"},
      {{"generate", "--model", kModel, "--seeds", "0", "--directions", dirs, "--alpha", "4:1"},
       "names direction 4 but the set has directions 0..3"},
      {{"generate", "--model", kModel, "--seeds", "0", "--alpha", "0:1"}, "--alpha needs --directions"},
      {{"generate", "--model", kModel, "--seeds", "0", "--directions", dirs}, "--directions needs --alpha"},
      {{"edit", "--model", kModel, "--seeds", "0", "--directions", dirs, "--index", "9"},
       "--index 9: " + dirs + " has directions 0..3"},
      {{"edit", "--model", kModel, "--seeds", "0", "--directions", dirs, "--index", "0", "--range", "3"},
       "--range: '3' is not LOW:HIGH"},
      {{"edit", "--model", kModel, "--seeds", "0", "--directions", dir_ + "/narrow.npy", "--index", "0"},
       "narrow.npy: directions have shape"},
      {{"edit", "--model", kModel, "--seeds", "0", "--directions", dirs, "--index", "0", "--layers", "0-8"},
       "--layers"},
      {{"edit", "--model", kFixtures + "/sg3repo_skip16.pkl", "--seeds", "0", "--directions", dirs, "--index",
        "0"},
       "was made for a model with 8 layers"},
      {{"directions", "--model", kModel, "--method", "sefa", "--k", "33", "--out", dir_ + "/k.npy"},
       "--k: 33"},
      {{"directions", "--model", kModel, "--method", "svd", "--out", dir_ + "/k.npy"}, "--method"},
      {{"directions", "--model", kModel, "--method", "sefa", "--layers", "1-9", "--out", dir_ + "/k.npy"},
       "--layers"},
      {{"directions", "--model", kModel, "--method", "sefa"}, "--out"},
  };
  for (const auto& c : cases) {
    auto r = run(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args[0] << " " << r.output;
    EXPECT_NE(r.output.find(c.message), std::string::npos)
        << "expected '" << c.message << "' in: " << r.output;
  }
  EXPECT_FALSE(exists(dir_ + "/k.npy"));
}

TEST_F(Directions, AnotherModelsHashOnlyWarns) {
  const std::string dirs = sefa();
  auto j = read_json(dir_ + "/sefa/dirs.json");
  j["model_hash"] = std::string(64, '0');
  std::ofstream(dir_ + "/sefa/dirs.json") << j.dump();
  auto r = run({"generate", "--model", kModel, "--seeds", "0", "--directions", dirs, "--alpha", "0:1",
                "--out", dir_ + "/w"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("warning: " + dirs + " was computed for another model"), std::string::npos)
      << r.output;
  r = run({"generate", "--model", kModel, "--seeds", "0", "--directions", sefa(), "--alpha", "0:1", "--out",
           dir_ + "/w"});
  EXPECT_EQ(r.output.find("warning"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace stylescope::test
