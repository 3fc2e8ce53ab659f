// info, bench, and how every command treats files that are not supported StyleGAN2 models.
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "core/util/atomic_file.h"
#include "tests/cli/cli_harness.h"

namespace stylescope::test {
namespace {

class Models : public CliTest {};

nlohmann::json info_json(const std::string& model) {
  auto r = run({"info", "--model", model});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return nlohmann::json::parse(r.output.substr(r.output.find('{')));
}

TEST_F(Models, InfoDescribesTheArchitecture) {
  auto j = info_json(kFixtures + "/skip_rgb32.pkl");
  EXPECT_EQ(j["resolution"], 32);
  EXPECT_EQ(j["img_channels"], 3);
  EXPECT_EQ(j["num_ws"], 8);
  EXPECT_EQ(j["architecture"], "skip");
  EXPECT_EQ(j["mapping_layers"], 2);
  EXPECT_EQ(j["networks"], (nlohmann::json{"G", "D", "G_ema"}));
  EXPECT_EQ(j["generator_from"], "G_ema");
  EXPECT_EQ(j["channels"]["32"], 8);
  EXPECT_GT(j["params"].get<int64_t>(), 10000);
  auto gray = info_json(kFixtures + "/resnet_gray16.pkl");
  EXPECT_EQ(gray["architecture"], "resnet");
  EXPECT_EQ(gray["img_channels"], 1);
  EXPECT_EQ(gray["w_dim"], 24);
  EXPECT_EQ(gray["z_dim"], 16);
  auto cond = info_json(kFixtures + "/orig_cond32.pkl");
  EXPECT_EQ(cond["c_dim"], 5);
  auto rgba = info_json(kFixtures + "/skip_rgba8.pkl");
  EXPECT_EQ(rgba["networks"], (nlohmann::json{"G", "G_ema"}));
  auto sg3 = info_json(kFixtures + "/sg3repo_skip16.pkl");
  EXPECT_EQ(sg3["resolution"], 16);
}

TEST_F(Models, UnsupportedPicklesAreRejectedByName) {
  struct Case {
    const char* file;
    const char* must_mention;
  };
  for (const Case& c : {Case{"reject_stylegan3.pkl", "StyleGAN3"}, Case{"reject_tf.pkl", "TensorFlow"},
                        Case{"reject_other.pkl", "pkl"}, Case{"reject_system.pkl", "posix"}}) {
    for (const char* cmd : {"info", "generate"}) {
      std::vector<std::string> args = {cmd, "--model", kFixtures + "/" + c.file};
      if (std::string(cmd) == "generate") args.insert(args.end(), {"--seeds", "0", "--out", dir_});
      auto r = run(args);
      EXPECT_EQ(r.exit_code, 2) << c.file << ": " << r.output;
      EXPECT_NE(r.output.find(c.must_mention), std::string::npos) << c.file << ": " << r.output;
      EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << "one line: " << r.output;
    }
  }
  EXPECT_FALSE(exists("/tmp/stylescope_pwned")) << "a pickle's REDUCE was executed";
}

TEST_F(Models, BrokenFilesExitWithCodeTwoAndNameTheFile) {
  std::ifstream in(kFixtures + "/skip_rgb32.pkl", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  std::mt19937 rng(7);
  std::string random(4096, '\0');
  for (auto& ch : random) ch = static_cast<char>(rng());
  const std::vector<std::pair<std::string, std::string>> files = {
      {"truncated.pkl", bytes.substr(0, bytes.size() / 2)},
      {"random.pkl", random},
      {"empty.pkl", ""},
      {"random.safetensors", random},
      {"model.onnx", random},
  };
  for (const auto& [name, content] : files) {
    const std::string path = dir_ + "/" + name;
    write_file_atomic(path, content.data(), content.size());
    auto r = run({"info", "--model", path});
    EXPECT_EQ(r.exit_code, 2) << name << ": " << r.output;
    EXPECT_NE(r.output.find(name), std::string::npos) << name << ": " << r.output;
  }
  auto missing = run({"info", "--model", dir_ + "/nope.pkl"});
  EXPECT_EQ(missing.exit_code, 2);
}

TEST_F(Models, BenchReportsJson) {
  auto r =
      run({"bench", "--model", kFixtures + "/skip_rgb32.pkl", "--iters", "3", "--warmup", "1", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = nlohmann::json::parse(r.output.substr(r.output.find('{')));
  for (const char* key : {"ms_per_img_median", "img_per_s", "peak_mem_mb", "batch", "device", "threads"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_GT(j["ms_per_img_median"].get<double>(), 0.0);
  EXPECT_EQ(j["device"], "cpu");
  EXPECT_EQ(j["batch"], 1);
  // Idle OpenMP threads sleep instead of spinning (app/omp_policy.h) unless the user chose otherwise.
  EXPECT_EQ(j["omp_wait_policy"], "PASSIVE");
  auto cfg = run({"bench", "--config", "cifar", "--iters", "1", "--warmup", "0", "--batch", "2", "--json"});
  ASSERT_EQ(cfg.exit_code, 0) << cfg.output;
  auto jc = nlohmann::json::parse(cfg.output.substr(cfg.output.find('{')));
  EXPECT_EQ(jc["resolution"], 32);
  EXPECT_EQ(jc["batch"], 2);
  EXPECT_EQ(run({"bench", "--config", "nope"}).exit_code, 2);
}

TEST_F(Models, ConvertCarriesClassNamesThatInfoShows) {
  const std::string out = dir_ + "/named.safetensors";
  auto r = run({"convert", "--model", kFixtures + "/orig_cond32.pkl", "--class-names",
                "cat,dog,100% owl,eel,ant", "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = info_json(out);
  EXPECT_EQ(j["class_names"], (nlohmann::json{"cat", "dog", "100% owl", "eel", "ant"}));
  // A second conversion keeps them.
  auto again = run({"convert", "--model", out, "--out", dir_ + "/again.safetensors"});
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(info_json(dir_ + "/again.safetensors")["class_names"], j["class_names"]);
  for (std::string bad : {"cat,dog", "cat,dog,,eel,ant", "a,b,c,d,e,f"}) {
    auto b = run({"convert", "--model", kFixtures + "/orig_cond32.pkl", "--class-names", bad, "--out",
                  dir_ + "/bad.safetensors"});
    EXPECT_EQ(b.exit_code, 2) << bad << ": " << b.output;
    EXPECT_NE(b.output.find("--class-names"), std::string::npos) << b.output;
    EXPECT_FALSE(exists(dir_ + "/bad.safetensors"));
  }
}

TEST_F(Models, AnalyzeResolutionUsageWritesTheTableTheChartAndTheSkipSums) {
  auto r = run({"analyze", "--model", kFixtures + "/skip_rgb32.pkl", "--resolution-usage", "--samples", "6",
                "--threads", "2", "--out", dir_});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::ifstream in(dir_ + "/resolution_usage.json");
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["resolutions"], (nlohmann::json{4, 8, 16, 32}));
  double sum = 0;
  for (double s : j["share"]) sum += s;
  EXPECT_NEAR(sum, 1.0, 1e-9);
  EXPECT_EQ(j["samples"], 6);
  EXPECT_TRUE(exists(dir_ + "/resolution_usage.png"));
  EXPECT_TRUE(exists(dir_ + "/skip_sums.png"));
  // A non-skip generator has no ToRGB outputs to compare: a one-line refusal.
  auto orig =
      run({"analyze", "--model", kFixtures + "/orig_cond32.pkl", "--resolution-usage", "--out", dir_ + "/o"});
  EXPECT_EQ(orig.exit_code, 2) << orig.output;
  EXPECT_NE(orig.output.find("skip"), std::string::npos) << orig.output;
  EXPECT_EQ(run({"analyze", "--model", kFixtures + "/skip_rgb32.pkl", "--out", dir_ + "/n"}).exit_code, 2);
}

}  // namespace
}  // namespace stylescope::test
