// `stylescope video` end to end: MP4s decoded again, PNG-frame folders, grids, and bad input / cancel
// leaving no file behind.
#include <filesystem>
#include <fstream>

#include "core/io/image.h"
#include "core/io/npy.h"
#include "core/io/tensor_ref.h"
#include "tests/cli/cli_harness.h"
#ifdef STYLESCOPE_HAVE_VIDEO
#include "tests/io/video_decode.h"
#endif

namespace stylescope::test {
namespace {

namespace fs = std::filesystem;

const std::string kModel = kFixtures + "/skip_rgb32.pkl";

class Video : public CliTest {
 protected:
  std::vector<std::string> files(const std::string& dir) const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
  Image8 generated(uint32_t seed, const std::vector<std::string>& extra = {}) {
    const std::string out = dir_ + "/generated";
    std::vector<std::string> args = {"generate",           "--model", kModel, "--seeds",
                                     std::to_string(seed), "--out",   out};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = run(args);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    char stem[32];
    std::snprintf(stem, sizeof stem, "/seed%04u.png", seed);
    return read_image(out + stem);
  }
};

// The largest difference between a w x h block of a frame and an image.
int max_block_diff(const Image8& frame, int x0, int y0, const Image8& image) {
  int worst = 0;
  for (int y = 0; y < image.height; ++y)
    for (int x = 0; x < image.width; ++x)
      for (int c = 0; c < image.channels; ++c)
        worst = std::max(worst, std::abs(int(frame.at(y0 + y, x0 + x, c)) - int(image.at(y, x, c))));
  return worst;
}

TEST_F(Video, PngFramesOfALoopingGridFollowGenVideo) {
  // 4 seeds in a 2x1 grid: K = 2 keys per walk; the left walk is seeds 0,1, the right walk seeds 2,3.
  auto r = run({"video", "--model", kModel, "--seeds", "0-3", "--grid", "2x1", "--loop", "--frames-per-key",
                "3", "--kind", "linear", "--threads", "2", "--out", dir_ + "/frames/"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto names = files(dir_ + "/frames");
  ASSERT_EQ(names.size(), 6u);  // K*N with --loop
  EXPECT_EQ(names.front(), "frame000000.png");
  EXPECT_EQ(names.back(), "frame000005.png");
  const Image8 first = read_image(dir_ + "/frames/frame000000.png");
  EXPECT_EQ(first.width, 64);
  EXPECT_EQ(first.height, 32);
  EXPECT_LE(max_block_diff(first, 0, 0, generated(0)), 1);
  EXPECT_LE(max_block_diff(first, 32, 0, generated(2)), 1);
  const Image8 key1 = read_image(dir_ + "/frames/frame000003.png");
  EXPECT_LE(max_block_diff(key1, 0, 0, generated(1)), 1);
  EXPECT_LE(max_block_diff(key1, 32, 0, generated(3)), 1);
  EXPECT_GT(max_block_diff(read_image(dir_ + "/frames/frame000001.png"), 0, 0, generated(0)), 1);
}

TEST_F(Video, WalksFromSeedsThenWFilesWithTruncationAndMixing) {
  // Keys: seed 5, then the ws that generate saved for seeds 9 and 11 (already truncated and mixed).
  auto saved = run({"generate", "--model", kModel, "--seeds", "9,11", "--trunc", "0.6", "--mix-seed", "4",
                    "--styles", "0-2", "--save-npy", "--out", dir_ + "/saved"});
  ASSERT_EQ(saved.exit_code, 0) << saved.output;
  auto r =
      run({"video", "--model", kModel, "--seeds", "5", "--w",
           dir_ + "/saved/seed0009_w.npy," + dir_ + "/saved/seed0011_w.npy", "--trunc", "0.6", "--mix-seed",
           "4", "--styles", "0-2", "--frames-per-key", "2", "--kind", "cubic", "--out", dir_ + "/frames/"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_EQ(files(dir_ + "/frames").size(), 5u);  // (K-1)*N + 1
  const std::vector<std::string> mixed = {"--trunc", "0.6", "--mix-seed", "4", "--styles", "0-2"};
  EXPECT_LE(max_block_diff(read_image(dir_ + "/frames/frame000000.png"), 0, 0, generated(5, mixed)), 1);
  EXPECT_LE(max_block_diff(read_image(dir_ + "/frames/frame000002.png"), 0, 0, generated(9, mixed)), 1);
  EXPECT_LE(max_block_diff(read_image(dir_ + "/frames/frame000004.png"), 0, 0, generated(11, mixed)), 1);
}

TEST_F(Video, DirectionEditsApplyToEveryKey) {
  const std::string dirs = dir_ + "/dirs.npy";
  auto d = run({"directions", "--model", kModel, "--method", "sefa", "--k", "2", "--out", dirs});
  ASSERT_EQ(d.exit_code, 0) << d.output;
  const std::vector<std::string> edit = {"--trunc", "0.7", "--directions", dirs, "--alpha", "0:3"};
  std::vector<std::string> args = {"video", "--model", kModel,           "--seeds",
                                   "3,8",   "--kind",  "linear",         "--frames-per-key",
                                   "2",     "--out",   dir_ + "/frames/"};
  args.insert(args.end(), edit.begin(), edit.end());
  auto r = run(args);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const Image8 first = read_image(dir_ + "/frames/frame000000.png"),
               last = read_image(dir_ + "/frames/frame000002.png");
  EXPECT_LE(max_block_diff(first, 0, 0, generated(3, edit)), 1);
  EXPECT_LE(max_block_diff(last, 0, 0, generated(8, edit)), 1);
  EXPECT_GT(max_block_diff(first, 0, 0, generated(3, {"--trunc", "0.7"})), 1);  // the edit changed the image
}

TEST_F(Video, SlerpStartsOnTheFirstSeed) {
  auto r = run({"video", "--model", kModel, "--seeds", "3,8", "--kind", "slerp", "--trunc", "0.7",
                "--frames-per-key", "4", "--out", dir_ + "/frames/"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_EQ(files(dir_ + "/frames").size(), 5u);
  EXPECT_LE(
      max_block_diff(read_image(dir_ + "/frames/frame000000.png"), 0, 0, generated(3, {"--trunc", "0.7"})),
      1);
  EXPECT_LE(
      max_block_diff(read_image(dir_ + "/frames/frame000004.png"), 0, 0, generated(8, {"--trunc", "0.7"})),
      1);
}

#ifdef STYLESCOPE_HAVE_VIDEO
TEST_F(Video, Mp4DecodesToTheRightFramesSizeRateAndImage) {
  const std::string out = dir_ + "/walk.mp4";
  auto r = run({"video", "--model", kModel, "--seeds", "0,1,2", "--frames-per-key", "4", "--fps", "24",
                "--threads", "2", "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(files(dir_), std::vector<std::string>{"walk.mp4"});
  const DecodedVideo video = decode_video(out);
  EXPECT_EQ(video.codec, "h264");
  EXPECT_EQ(video.pixel_format, "yuv420p");
  EXPECT_EQ(video.width, 32);
  EXPECT_EQ(video.height, 32);
  EXPECT_DOUBLE_EQ(video.fps, 24.0);
  ASSERT_EQ(video.luma.size(), 9u);  // (3-1)*4 + 1
  const Image8 key0 = generated(0);
  EXPECT_GE(luma_psnr(video.luma[0], video.width, key0.pixels.data(), 32, 32, 3), 30.0);
  const Image8 key2 = generated(2);
  EXPECT_GE(luma_psnr(video.luma[8], video.width, key2.pixels.data(), 32, 32, 3), 30.0);
  EXPECT_LT(luma_psnr(video.luma[0], video.width, key2.pixels.data(), 32, 32, 3),
            20.0);  // the check can fail
}

TEST_F(Video, CtrlCLeavesNoFile) {
  const std::string out = dir_ + "/long.mp4";
  // Start a long recording, wait for its temp file, interrupt it, report its exit code.
  const std::string script = "'" + std::string(STYLESCOPE_BINARY) + "' video --model '" + kModel +
                             "' --seeds 0,1 --frames-per-key 100000 --threads 1 --out '" + out +
                             "' 2>/dev/null & " + "pid=$!; for i in $(seq 300); do ls '" + dir_ +
                             "' | grep -q tmp && break; sleep 0.1; " +
                             "done; sleep 0.3; kill -INT $pid; wait $pid; echo $?";
  FILE* pipe = popen(script.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char buf[64] = {};
  ASSERT_NE(fgets(buf, sizeof buf, pipe), nullptr);
  pclose(pipe);
  EXPECT_EQ(std::atoi(buf), 130);
  EXPECT_TRUE(files(dir_).empty());
}
#else
TEST_F(Video, Mp4NeedsAVideoBuildButFoldersWork) {
  auto r =
      run({"video", "--model", kModel, "--seeds", "0,1", "--frames-per-key", "2", "--out", dir_ + "/v.mp4"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("no video support"), std::string::npos) << r.output;
  EXPECT_TRUE(files(dir_).empty());
}
#endif

TEST_F(Video, BadInputExitsTwoAndLeavesNoFile) {
  { std::ofstream(dir_ + "/a_file") << "x"; }
  // ws of the wrong shape: [3] for a model with w_dim 32.
  const float bad_w[3] = {1, 2, 3};
  write_npy(dir_ + "/bad_w.npy", TensorRef{DType::Float32, {3}, bad_w});
  struct Case {
    const char* what;
    std::vector<std::string> args;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"unwritable path", {"--seeds", "0,1", "--out", dir_ + "/a_file/v.mp4"}, "a_file"},
      {"unwritable folder", {"--seeds", "0,1", "--out", dir_ + "/a_file/frames/"}, "a_file"},
      {"neither mp4 nor folder", {"--seeds", "0,1", "--out", dir_ + "/v.avi"}, ".mp4"},
      {"w of the wrong shape",
       {"--seeds", "0", "--w", dir_ + "/bad_w.npy", "--out", dir_ + "/v/"},
       "bad_w.npy"},
      {"missing w file", {"--seeds", "0", "--w", dir_ + "/none.npy", "--out", dir_ + "/v/"}, "none.npy"},
      {"seeds not filling the grid", {"--seeds", "0-4", "--grid", "2x2", "--out", dir_ + "/v/"}, "--grid"},
      {"bad grid", {"--seeds", "0-3", "--grid", "2by2", "--out", dir_ + "/v/"}, "--grid"},
      {"slerp with w keys",
       {"--seeds", "0", "--w", dir_ + "/bad_w.npy", "--kind", "slerp", "--out", dir_ + "/v/"},
       "slerp"},
      {"unknown kind", {"--seeds", "0,1", "--kind", "bezier", "--out", dir_ + "/v/"}, "--kind"},
      {"no keys", {"--out", dir_ + "/v/"}, "--seeds"},
      {"crf out of range", {"--seeds", "0,1", "--crf", "60", "--out", dir_ + "/v/"}, "--crf"},
      {"mix seed without styles", {"--seeds", "0,1", "--mix-seed", "3", "--out", dir_ + "/v/"}, "--styles"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    std::vector<std::string> args = {"video", "--model", kModel, "--frames-per-key", "2"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = run(args);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find(c.message), std::string::npos) << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;  // one line
    EXPECT_EQ(files(dir_), (std::vector<std::string>{"a_file", "bad_w.npy"}));
  }
}

}  // namespace
}  // namespace stylescope::test
