// The training loop as a whole: gradients reach every parameter that trains, Freeze-D keeps its layers
// fixed, a run resumed from its snapshot continues exactly, and the GUI's Trainer thread obeys
// pause/resume/stop and publishes G_ema copies.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "core/io/errors.h"
#include "core/io/image.h"
#include "core/model/model_file.h"
#include "core/train/distributed.h"
#include "core/train/trainer.h"
#include "core/train/training_networks.h"
#include "core/train/training_session.h"

namespace stylescope::train {
namespace {

namespace fs = std::filesystem;
const std::string kFixtures = STYLESCOPE_FIXTURES_DIR;

class TrainingSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = (fs::temp_directory_path() / ("stylescope-train-" + std::to_string(rd()))).string();
    fs::create_directories(dir_ + "/data");
    for (int i = 0; i < 10; ++i) {
      std::mt19937 rng(i);
      std::vector<uint8_t> px(16 * 16);
      for (int y = 0; y < 16; ++y)
        for (int x = 0; x < 16; ++x)
          px[y * 16 + x] = static_cast<uint8_t>((x * 12 + y * 5 + i * 30 + rng() % 20) & 255);
      write_png(dir_ + "/data/img" + std::to_string(i) + ".png", px.data(), 16, 16, 1);
    }
  }
  void TearDown() override { fs::remove_all(dir_); }

  TrainingOptions options(const std::string& out, double kimg) const {
    TrainingOptions o;
    o.data = dir_ + "/data";
    o.out = dir_ + "/" + out;
    o.resume = kFixtures + "/resnet_gray16.pkl";
    o.kimg = kimg;
    o.batch = 4;
    o.tick = 0.008;
    o.snap = 1;
    o.seed = 7;
    return o;
  }
  std::string dir_;
};

std::map<std::string, torch::Tensor> snapshot_of(TrainingNetworks& nets) {
  std::map<std::string, torch::Tensor> out;
  for (auto& [n, t] : state_dict(*nets.G)) out["G." + n] = t.detach().clone();
  for (auto& [n, t] : state_dict(*nets.D)) out["D." + n] = t.detach().clone();
  for (auto& [n, t] : state_dict(*nets.G_ema)) out["G_ema." + n] = t.detach().clone();
  return out;
}

TEST_F(TrainingSessionTest, GradientsReachEveryTrainableParameter) {
  ProcessGroup local(LaunchEnvironment{}, torch::kCPU, nullptr);
  TrainingSession session(options("run", 0.004), local);
  TrainingNetworks& nets = session.networks();
  const auto before = snapshot_of(nets);
  session.step();  // batch_idx 0: all four phases run
  const auto after = snapshot_of(nets);
  for (auto& [name, t] : before) {
    if (name.rfind("G_ema.", 0) == 0 || name.find("resample_filter") != std::string::npos ||
        name.find("noise_const") != std::string::npos)
      continue;
    const bool is_buffer = name.find("w_avg") != std::string::npos;
    EXPECT_TRUE(torch::isfinite(after.at(name)).all().item<bool>()) << name;
    if (!is_buffer) {
      EXPECT_FALSE(torch::equal(t, after.at(name))) << name << " did not train";
    }
  }
}

TEST_F(TrainingSessionTest, FreezeDKeepsTheFirstLayersFixed) {
  ProcessGroup local(LaunchEnvironment{}, torch::kCPU, nullptr);
  TrainingOptions o = options("run", 0.008);
  o.freezed = 2;  // b16.fromrgb and b16.conv0
  TrainingSession session(o, local);
  const auto before = snapshot_of(session.networks());
  session.step();
  session.step();
  const auto after = snapshot_of(session.networks());
  for (const char* frozen :
       {"D.b16.fromrgb.weight", "D.b16.fromrgb.bias", "D.b16.conv0.weight", "D.b16.conv0.bias"})
    EXPECT_TRUE(torch::equal(before.at(frozen), after.at(frozen))) << frozen;
  for (const char* trained : {"D.b16.conv1.weight", "D.b4.out.weight"})
    EXPECT_FALSE(torch::equal(before.at(trained), after.at(trained))) << trained;
}

TEST_F(TrainingSessionTest, ResumingASnapshotContinuesExactly) {
  ProcessGroup local(LaunchEnvironment{}, torch::kCPU, nullptr);
  // Straight: 6 iterations. Split: 3, snapshot, resume with the same total, 3 more. R1 runs at iteration 0
  // only, path length at 0 and 4: the resumed half must carry batch_idx, pl_mean and Adam's state.
  const double total = 0.024, half = 0.012;
  std::map<std::string, torch::Tensor> straight;
  {
    TrainingOptions o = options("straight", total);
    o.tick = half;
    TrainingSession s(o, local);
    while (!s.done()) s.step();
    straight = snapshot_of(s.networks());
  }
  std::string snapshot;
  {
    TrainingOptions o = options("first", half);
    o.tick = half;
    TrainingSession s(o, local);
    while (!s.done()) s.step();
    snapshot = s.last_snapshot();
  }
  ASSERT_TRUE(fs::exists(snapshot));
  TrainingOptions o = options("second", total);
  o.tick = half;
  o.resume = snapshot;
  TrainingSession s(o, local);
  EXPECT_EQ(s.cur_nimg(), 12);
  EXPECT_EQ(s.batch_idx(), 3);
  while (!s.done()) s.step();
  EXPECT_EQ(s.batch_idx(), 6);
  const auto resumed = snapshot_of(s.networks());
  for (auto& [name, t] : straight) {
    const double err = (t - resumed.at(name)).abs().max().item<double>();
    EXPECT_LE(err, 1e-6) << name;
  }
}

TEST_F(TrainingSessionTest, TrainerThreadPausesResumesStopsAndPublishes) {
  Trainer trainer;
  trainer.publish_interval_s = 0;
  ASSERT_TRUE(trainer.start(options("gui", 10.0)));  // long: stopped below
  auto wait_for = [&](auto predicate) {
    for (int i = 0; i < 600 && !predicate(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return predicate();
  };
  ASSERT_TRUE(wait_for([&] { return trainer.status().cur_nimg >= 8; })) << trainer.status().message;
  EXPECT_FALSE(trainer.start(options("other", 1.0)));  // one run at a time
  trainer.pause();
  ASSERT_TRUE(wait_for([&] { return trainer.status().state == TrainerState::Paused; }));
  const int64_t paused_at = trainer.status().cur_nimg;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(trainer.status().cur_nimg, paused_at);
  trainer.resume();
  ASSERT_TRUE(wait_for([&] { return trainer.status().cur_nimg > paused_at; }));
  uint64_t version = 0;
  EXPECT_TRUE(trainer.latest_generator(&version) != nullptr);
  EXPECT_GT(version, 0u);
  GridImage preview = trainer.latest_preview();
  EXPECT_GT(preview.width, 0);
  trainer.stop();
  trainer.wait();
  const TrainerStatus status = trainer.status();
  EXPECT_EQ(status.state, TrainerState::Finished) << status.message;
  EXPECT_TRUE(fs::exists(status.last_snapshot)) << status.last_snapshot;
  EXPECT_FALSE(trainer.history().kimg.empty());
}

TEST_F(TrainingSessionTest, BadDataIsAnInputError) {
  ProcessGroup local(LaunchEnvironment{}, torch::kCPU, nullptr);
  TrainingOptions o = options("run", 0.004);
  o.data = dir_ + "/nothing-here";
  EXPECT_THROW(TrainingSession(o, local), InputError);
  Trainer trainer;
  ASSERT_TRUE(trainer.start(o));
  trainer.wait();
  EXPECT_EQ(trainer.status().state, TrainerState::Failed);
  EXPECT_NE(trainer.status().message.find("nothing-here"), std::string::npos) << trainer.status().message;
}

}  // namespace
}  // namespace stylescope::train

namespace stylescope::train {
namespace {

// Copies of G_ema (published by the trainer every few seconds, made by the projector and PPL on other
// threads) draw nothing from torch's global generator, so a training run's random stream does not depend
// on when they happen; the copy still equals the source exactly.
TEST(CopyGenerator, DrawsNothingFromTheGlobalGeneratorAndCopiesExactly) {
  LoadedModel m = load_model(std::string(STYLESCOPE_FIXTURES_DIR) + "/skip_rgb32.pkl");
  torch::manual_seed(42);
  const auto expected = torch::rand({8});
  torch::manual_seed(42);
  Generator copy = copy_generator(m.G);
  EXPECT_TRUE(torch::equal(torch::rand({8}), expected));
  const auto a = state_dict(*m.G), b = state_dict(*copy);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].first, b[i].first);
    EXPECT_TRUE(torch::equal(a[i].second, b[i].second)) << a[i].first;
  }
  // A network built outside such a copy is still randomly initialised.
  torch::manual_seed(42);
  Generator fresh(m.config);
  EXPECT_FALSE(torch::equal(torch::rand({8}), expected));
}

}  // namespace
}  // namespace stylescope::train
