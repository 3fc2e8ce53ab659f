// The frame writers: MP4 through libavcodec (decoded again here) and the PNG-frame folder.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "core/io/errors.h"
#include "core/io/frame_writer.h"
#include "core/io/image.h"
#ifdef STYLESCOPE_HAVE_VIDEO
#include "core/io/video_writer.h"
#include "tests/io/video_decode.h"
#endif

namespace stylescope {
namespace {

namespace fs = std::filesystem;

class FrameWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("stylescope-frames-" + std::to_string(rd()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<std::string> files() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
  fs::path dir_;
};

// A smooth moving gradient: compresses well, so CRF 18 keeps it close.
std::vector<uint8_t> test_frame(int w, int h, int c, int t) {
  std::vector<uint8_t> px(static_cast<size_t>(w) * h * c);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int k = 0; k < c; ++k)
        px[(static_cast<size_t>(y) * w + x) * c + k] =
            static_cast<uint8_t>((x * 5 + y * 3 + t * 7 + k * 60) % 200 + 20);
  return px;
}

TEST_F(FrameWriterTest, PngFolderNumbersFramesFromZero) {
  auto writer = open_png_frame_folder((dir_ / "frames").string(), {5, 3, 1});
  for (int t = 0; t < 3; ++t) writer->write(test_frame(5, 3, 1, t).data());
  writer->finish();
  EXPECT_EQ(writer->frames_written(), 3);
  Image8 second = read_image((dir_ / "frames" / "frame000001.png").string());
  EXPECT_EQ(second.width, 5);
  EXPECT_EQ(second.channels, 1);
  EXPECT_EQ(second.pixels, test_frame(5, 3, 1, 1));
  EXPECT_TRUE(fs::exists(dir_ / "frames" / "frame000002.png"));
  EXPECT_FALSE(fs::exists(dir_ / "frames" / "frame000003.png"));
}

#ifdef STYLESCOPE_HAVE_VIDEO

TEST_F(FrameWriterTest, Mp4HoldsEveryFrameAtTheRequestedRateAndSize) {
  const std::string path = (dir_ / "walk.mp4").string();
  auto writer = open_mp4_writer(path, {32, 16, 3}, Mp4Options{24.0, 18});
  for (int t = 0; t < 7; ++t) writer->write(test_frame(32, 16, 3, t).data());
  writer->finish();
  EXPECT_EQ(files(), std::vector<std::string>{"walk.mp4"});  // the temp file was renamed
  const auto video = test::decode_video(path);
  EXPECT_EQ(video.codec, "h264");
  EXPECT_EQ(video.width, 32);
  EXPECT_EQ(video.height, 16);
  EXPECT_EQ(video.pixel_format, "yuv420p");
  EXPECT_DOUBLE_EQ(video.fps, 24.0);
  ASSERT_EQ(video.luma.size(), 7u);
  for (int t = 0; t < 7; ++t) {
    const auto px = test_frame(32, 16, 3, t);
    EXPECT_GE(test::luma_psnr(video.luma[t], video.width, px.data(), 32, 16, 3), 30.0) << "frame " << t;
  }
}

TEST_F(FrameWriterTest, Mp4PadsOddSizesAndTakesGrayAndRgba) {
  for (int channels : {1, 4}) {
    SCOPED_TRACE(channels);
    const std::string path = (dir_ / ("odd" + std::to_string(channels) + ".mp4")).string();
    auto writer = open_mp4_writer(path, {33, 17, channels}, Mp4Options{30.0, 18});
    for (int t = 0; t < 3; ++t) writer->write(test_frame(33, 17, channels, t).data());
    writer->finish();
    const auto video = test::decode_video(path);
    EXPECT_EQ(video.width, 34);
    EXPECT_EQ(video.height, 18);
    ASSERT_EQ(video.luma.size(), 3u);
    const auto px = test_frame(33, 17, channels, 2);
    EXPECT_GE(test::luma_psnr(video.luma[2], video.width, px.data(), 33, 17, channels), 30.0);
  }
}

TEST_F(FrameWriterTest, AbandonedMp4LeavesNoFile) {
  const std::string path = (dir_ / "cancelled.mp4").string();
  {
    auto writer = open_mp4_writer(path, {16, 16, 3});
    for (int t = 0; t < 5; ++t) writer->write(test_frame(16, 16, 3, t).data());
    EXPECT_EQ(files().size(), 1u);  // the temp file while recording
  }                                 // destroyed without finish(): a cancel or an error
  EXPECT_TRUE(files().empty());
}

TEST_F(FrameWriterTest, AbandonedMp4KeepsAnEarlierVideo) {
  const std::string path = (dir_ / "keep.mp4").string();
  { std::ofstream(path) << "earlier"; }
  { open_mp4_writer(path, {16, 16, 3})->write(test_frame(16, 16, 3, 0).data()); }
  EXPECT_EQ(files(), std::vector<std::string>{"keep.mp4"});
  EXPECT_EQ(fs::file_size(path), 7u);
}

TEST_F(FrameWriterTest, Mp4RefusesUnwritablePathsAndBadSettings) {
  { std::ofstream(dir_ / "file") << "x"; }
  EXPECT_THROW(open_mp4_writer((dir_ / "file" / "v.mp4").string(), {16, 16, 3}), InputError);
  EXPECT_THROW(open_mp4_writer((dir_ / "v.mp4").string(), {16, 16, 3}, Mp4Options{60, 52}), InputError);
  EXPECT_THROW(open_mp4_writer((dir_ / "v.mp4").string(), {16, 16, 3}, Mp4Options{0, 18}), InputError);
  EXPECT_THROW(open_mp4_writer((dir_ / "v.mp4").string(), {16, 16, 2}), InputError);
  EXPECT_EQ(files(), std::vector<std::string>{"file"});
}

#endif

}  // namespace
}  // namespace stylescope
