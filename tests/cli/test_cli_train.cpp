// `stylescope train` end to end: the official run folder, snapshots every command accepts, bad input, and
// data-parallel training over Gloo on loopback matching one process with the combined batch.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include "core/io/image.h"
#include "core/io/safetensors.h"
#include "tests/cli/cli_harness.h"

namespace stylescope::test {
namespace {

namespace fs = std::filesystem;

class TrainCli : public CliTest {
 protected:
  // `count` random gray or RGB images of res x res with a smooth pattern, as PNG files.
  std::string make_images(const std::string& name, int count, int res, int channels, int first_seed = 0) {
    const std::string dir = dir_ + "/" + name;
    fs::create_directories(dir);
    for (int i = 0; i < count; ++i) {
      std::mt19937 rng(first_seed + i);
      std::vector<uint8_t> px(static_cast<size_t>(res) * res * channels);
      const int phase = static_cast<int>(rng() % 16);
      for (int y = 0; y < res; ++y)
        for (int x = 0; x < res; ++x)
          for (int c = 0; c < channels; ++c)
            px[(static_cast<size_t>(y) * res + x) * channels + c] =
                static_cast<uint8_t>((x * 16 + y * 8 + phase * 13 + c * 40 + rng() % 32) & 255);
      char file[64];
      std::snprintf(file, sizeof file, "/img%03d.png", i);
      write_png(dir + file, px.data(), res, res, channels);
    }
    return dir;
  }
};

std::vector<std::string> small_model_flags() {
  return {"--cbase", "256", "--cmax", "16", "--map", "2", "--batch", "4", "--threads", "1"};
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST_F(TrainCli, ShortRunWritesTheOfficialRunFolder) {
  const std::string data = make_images("data", 12, 16, 3);
  const std::string out = dir_ + "/run";
  RunResult r = run(concat({"train", "--data", data, "--out", out, "--kimg", "0.016", "--tick", "0.008",
                            "--snap", "1", "--seed", "3"},
                           small_model_flags()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* f : {"training_options.json", "stats.jsonl", "reals.png", "fakes_init.png",
                        "fakes000000.png", "network-snapshot-000000.safetensors"})
    EXPECT_TRUE(exists(out + "/" + f)) << f << "\n" << r.output;
  // stats.jsonl: one line per tick in the official schema.
  std::ifstream in(out + "/stats.jsonl");
  std::string line;
  int lines = 0;
  double last_kimg = -1;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    ++lines;
    for (const char* key :
         {"Loss/G/loss", "Loss/D/loss", "Progress/kimg", "Timing/sec_per_kimg", "timestamp"})
      EXPECT_TRUE(j.contains(key)) << key << " in " << line;
    EXPECT_TRUE(j["Loss/G/loss"].contains("num") && j["Loss/G/loss"].contains("mean") &&
                j["Loss/G/loss"].contains("std"));
    EXPECT_GT(j["Progress/kimg"]["mean"].get<double>(), last_kimg);
    last_kimg = j["Progress/kimg"]["mean"].get<double>();
  }
  EXPECT_EQ(lines, 3);  // tick 0 after the first iteration (kimg 0.004), then 0.012 and the end
  // R1 runs every 16 iterations, so only tick 0 has it: the later tick lines show "-" for it, never "nan".
  EXPECT_NE(r.output.find("r1 -"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("nan"), std::string::npos) << r.output;
  EXPECT_NEAR(last_kimg, 0.016, 1e-9);
  auto options = nlohmann::json::parse(std::ifstream(out + "/training_options.json"));
  EXPECT_EQ(options["batch_size"], 4);
  EXPECT_EQ(options["G_kwargs"]["synthesis_kwargs"]["channel_max"], 16);
  // The snapshot is a model for every command, with the training state inside.
  const std::string snapshot = out + "/network-snapshot-000000.safetensors";
  SafetensorsFile file = read_safetensors(snapshot);
  EXPECT_TRUE(file.metadata.count("training_state"));
  EXPECT_TRUE(file.find("G.mapping.fc0.weight") && file.find("D.b4.out.weight") &&
              file.find("G_ema.synthesis.b16.torgb.weight") &&
              file.find("opt_G.mapping.fc0.weight.exp_avg") && file.find("opt_D.b4.out.weight.exp_avg_sq") &&
              file.find("training.rng_state"));
  RunResult g = run({"generate", "--model", snapshot, "--seeds", "0-1", "--out", dir_ + "/gen"});
  ASSERT_EQ(g.exit_code, 0) << g.output;
  EXPECT_TRUE(exists(dir_ + "/gen/seed0001.png"));
}

// Labels in dataset.json train a conditional model; --no-cond ignores them.
TEST_F(TrainCli, NoCondIgnoresTheLabels) {
  const std::string data = make_images("labelled", 8, 16, 3);
  nlohmann::json labels = nlohmann::json::array();
  for (int i = 0; i < 8; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "img%03d.png", i);
    labels.push_back({name, i % 3});
  }
  std::ofstream(data + "/dataset.json") << nlohmann::json{{"labels", labels}}.dump();
  for (const bool cond : {true, false}) {
    const std::string out = dir_ + (cond ? "/cond" : "/uncond");
    std::vector<std::string> args = {"train", "--data", data, "--out", out, "--kimg", "0.004"};
    if (!cond) args.push_back("--no-cond");
    RunResult r = run(concat(args, small_model_flags()));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    auto options = nlohmann::json::parse(std::ifstream(out + "/training_options.json"));
    EXPECT_EQ(options["G_kwargs"]["c_dim"], cond ? 3 : 0) << options.dump();
  }
}

// --ms-weight adds the mode-seeking term (not official): it shows in the tick lines, stats.jsonl and
// training_options.json only when on, so an official run's files stay official.
TEST_F(TrainCli, ModeSeekingWeightIsRecordedOnlyWhenOn) {
  const std::string data = make_images("data", 8, 16, 1);
  for (const bool on : {true, false}) {
    const std::string out = dir_ + (on ? "/ms" : "/plain");
    std::vector<std::string> args = {"train",  "--data", data,     "--out", out,
                                     "--kimg", "0.008",  "--tick", "0.004"};
    if (on) args.insert(args.end(), {"--ms-weight", "0.5"});
    RunResult r = run(concat(args, small_model_flags()));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(r.output.find(" ms ") != std::string::npos, on) << r.output;
    auto options = nlohmann::json::parse(std::ifstream(out + "/training_options.json"));
    EXPECT_EQ(options["loss_kwargs"].contains("ms_weight"), on) << options.dump();
    if (on) EXPECT_DOUBLE_EQ(options["loss_kwargs"]["ms_weight"].get<double>(), 0.5);
    std::ifstream in(out + "/stats.jsonl");
    std::string line;
    ASSERT_TRUE(std::getline(in, line));
    auto stats = nlohmann::json::parse(line);
    EXPECT_EQ(stats.contains("Loss/G/ms"), on) << line;
    if (on) EXPECT_GT(stats["Loss/G/ms"]["mean"].get<double>(), 0) << line;
  }
  RunResult bad = run(
      concat({"train", "--data", data, "--out", dir_ + "/bad", "--ms-weight", "-1"}, small_model_flags()));
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("--ms-weight"), std::string::npos) << bad.output;
  EXPECT_FALSE(exists(dir_ + "/bad/training_options.json"));
  // Pairs need two images in a chunk: refused rather than silently off.
  bad =
      run(concat({"train", "--data", data, "--out", dir_ + "/bad1", "--ms-weight", "0.5", "--batch-gpu", "1"},
                 small_model_flags()));
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("--batch-gpu"), std::string::npos) << bad.output;
}

TEST_F(TrainCli, BadInputIsRefusedWithExitCode2) {
  const std::string data = make_images("data", 4, 16, 3);
  auto train = [&](std::vector<std::string> extra) {
    return run(concat(concat({"train"}, extra), small_model_flags()));
  };
  RunResult r = train({"--data", dir_ + "/missing", "--out", dir_ + "/a"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("missing"), std::string::npos) << r.output;
  fs::create_directories(dir_ + "/empty");
  r = train({"--data", dir_ + "/empty", "--out", dir_ + "/b"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  fs::create_directories(dir_ + "/used");
  std::ofstream(dir_ + "/used/keep.txt") << "precious";
  r = train({"--data", data, "--out", dir_ + "/used"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("not empty"), std::string::npos) << r.output;
  EXPECT_TRUE(exists(dir_ + "/used/keep.txt"));
  r = train({"--data", data, "--out", dir_ + "/c", "--cfg", "nonsense"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  // A conditional model needs labelled data.
  r = train({"--data", data, "--out", dir_ + "/d", "--resume", kFixtures + "/orig_cond32.pkl"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("conditional"), std::string::npos) << r.output;
}

TEST_F(TrainCli, FineTuningAPklConvertsTheDataToTheModel) {
  // 32x32 RGB images for a 16x16 gray model: the folder's images are converted, the count reported.
  const std::string data = make_images("data", 6, 32, 3);
  const std::string out = dir_ + "/run";
  RunResult r = run({"train", "--data", data, "--out", out, "--resume", kFixtures + "/resnet_gray16.pkl",
                     "--kimg", "0.008", "--batch", "4", "--tick", "0.008", "--threads", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("6 converted"), std::string::npos) << r.output;
  SafetensorsFile file = read_safetensors(out + "/network-snapshot-000000.safetensors");
  ASSERT_TRUE(file.find("G.synthesis.b16.torgb.weight"));
  EXPECT_EQ(file.find("G.synthesis.b16.torgb.weight")->shape[0], 1);
}

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

std::map<std::string, std::vector<float>> network_tensors(const std::string& path) {
  std::map<std::string, std::vector<float>> out;
  for (auto& [name, t] : read_safetensors(path).tensors)
    if (name.rfind("G.", 0) == 0 || name.rfind("D.", 0) == 0 || name.rfind("G_ema.", 0) == 0)
      out[name] = t.to_float32();
  return out;
}

#ifdef STYLESCOPE_HAVE_DISTRIBUTED
TEST_F(TrainCli, TwoGlooProcessesTrainAsOneWithTheCombinedBatch) {
  const std::string data = make_images("data", 16, 16, 1);
  // Conditions under which the official loss is data-parallel exact: no style mixing, no path-length
  // regularization, noise that does not depend on the batch split, and minibatch-std groups within a process.
  const std::vector<std::string> common = {"train",
                                           "--data",
                                           data,
                                           "--resume",
                                           kFixtures + "/resnet_gray16.pkl",
                                           "--kimg",
                                           "0.016",
                                           "--batch",
                                           "8",
                                           "--tick",
                                           "0.016",
                                           "--mixing",
                                           "0",
                                           "--pl-weight",
                                           "0",
                                           "--mbstd-group",
                                           "2",
                                           "--train-noise-const",
                                           "--threads",
                                           "1",
                                           "--seed",
                                           "5"};
  RunResult single = run(concat(common, {"--out", dir_ + "/one"}));
  ASSERT_EQ(single.exit_code, 0) << single.output;
  const std::string env =
      "env MASTER_ADDR=127.0.0.1 MASTER_PORT=" + std::to_string(free_port()) + " WORLD_SIZE=2";
  RunResult ranks[2];
  std::thread second([&] {
    ranks[1] = run(concat(common, {"--out", dir_ + "/two_rank1"}), env + " RANK=1");
  });
  ranks[0] = run(concat(common, {"--out", dir_ + "/two"}), env + " RANK=0");
  second.join();
  ASSERT_EQ(ranks[0].exit_code, 0) << ranks[0].output;
  ASSERT_EQ(ranks[1].exit_code, 0) << ranks[1].output;
  EXPECT_FALSE(exists(dir_ + "/two_rank1/network-snapshot-000000.safetensors"));  // only rank 0 writes
  auto a = network_tensors(dir_ + "/one/network-snapshot-000000.safetensors");
  auto b = network_tensors(dir_ + "/two/network-snapshot-000000.safetensors");
  ASSERT_EQ(a.size(), b.size());
  // Gradients agree to float rounding (summation order differs), but Adam's first steps are close to
  // lr * sign(g): where a gradient cancels to nearly zero, rounding can flip its step. So: almost every
  // weight equal to 1e-5, the median far below that, and no weight further apart than a few steps.
  for (const char* net : {"G.", "D.", "G_ema."}) {
    std::vector<double> diffs;
    for (auto& [name, values] : a) {
      if (name.rfind(net, 0) != 0) continue;
      ASSERT_TRUE(b.count(name)) << name;
      ASSERT_EQ(values.size(), b[name].size()) << name;
      for (size_t i = 0; i < values.size(); ++i) diffs.push_back(std::abs(double(values[i]) - b[name][i]));
    }
    ASSERT_FALSE(diffs.empty()) << net;
    std::sort(diffs.begin(), diffs.end());
    const double median = diffs[diffs.size() / 2], p98 = diffs[diffs.size() * 98 / 100], worst = diffs.back();
    EXPECT_LT(median, 2e-6) << net;
    EXPECT_LT(p98, 1e-4) << net;
    EXPECT_LT(worst, 0.01) << net;  // 4 Adam steps of lr 0.0025
  }
  // ... and the networks did train: the weights moved from the pkl's.
  RunResult info = run({"info", "--model", dir_ + "/two/network-snapshot-000000.safetensors"});
  EXPECT_EQ(info.exit_code, 0) << info.output;
}
#endif

}  // namespace
}  // namespace stylescope::test
