// `stylescope dataset`: the official dataset_tool layout from IDX files and image folders, and its errors.
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/io/image.h"
#include "tests/cli/cli_harness.h"
#include "tests/core/dataset_test_util.h"

#ifdef STYLESCOPE_HAVE_ZIP
#include "core/io/zip_archive.h"
#endif

namespace stylescope::test {
namespace {

class DatasetCommand : public CliTest {};

#ifdef STYLESCOPE_HAVE_ZIP

TEST_F(DatasetCommand, IdxFolderBecomesAPaddedLabeledZip) {
  write_idx_folder(dir_ + "/fashion", 3, 28, 28, true);
  const std::string out = dir_ + "/out/fashion.zip";
  auto r = run({"dataset", "--source", dir_ + "/fashion", "--dest", out, "--transform", "pad"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("3 images 32x32, 1 channel, labeled"), std::string::npos) << r.output;
  ZipReader zip = ZipReader::open(out);
  ASSERT_EQ(zip.names(), (std::vector<std::string>{"00000/img00000000.png", "00000/img00000001.png",
                                                   "00000/img00000002.png", "dataset.json"}));
  const Image8 second = decode_image(zip.read(1), "second");
  EXPECT_EQ(second.width, 32);
  EXPECT_EQ(second.channels, 1);
  EXPECT_EQ(second.at(0, 0, 0), 0);
  EXPECT_EQ(second.at(2, 2, 0), 31);  // pixel (0, 0) of image 1, moved by the 2-pixel border
  EXPECT_EQ(second.at(29, 29, 0), (31 + 27 * 28 + 27) % 256);
  const ByteBuffer json = zip.read(3);
  const auto labels = nlohmann::json::parse(std::string(reinterpret_cast<const char*>(json.data), json.size));
  EXPECT_EQ(labels["labels"][2], nlohmann::json::parse(R"(["00000/img00000002.png", 2])"));

  auto again = run({"dataset", "--source", dir_ + "/fashion", "--dest", out, "--transform", "pad"});
  EXPECT_EQ(again.exit_code, 2) << again.output;
  EXPECT_NE(again.output.find("already exists"), std::string::npos) << again.output;
}

TEST_F(DatasetCommand, FolderWithoutTransformMustShareOneSquarePowerOfTwoSize) {
  save_png(dir_ + "/src/a.png", pattern_image(8, 8, 3, 1));
  save_png(dir_ + "/src/b.png", pattern_image(16, 16, 3, 2));
  save_png(dir_ + "/src/c.png", pattern_image(12, 12, 3, 2));
  const std::string out = dir_ + "/d.zip";
  auto mixed = run({"dataset", "--source", dir_ + "/src", "--dest", out});
  EXPECT_EQ(mixed.exit_code, 2) << mixed.output;
  EXPECT_NE(mixed.output.find("b.png"), std::string::npos) << mixed.output;
  EXPECT_FALSE(exists(out));
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    EXPECT_EQ(entry.path().filename(), "src") << "left behind: " << entry.path();
  }

  auto cropped = run({"dataset", "--source", dir_ + "/src", "--dest", out, "--transform", "center-crop",
                      "--resolution", "8"});
  ASSERT_EQ(cropped.exit_code, 0) << cropped.output;
  EXPECT_NE(cropped.output.find("3 images 8x8, 3 channels, unlabeled"), std::string::npos) << cropped.output;
}

TEST_F(DatasetCommand, BadInputExitsWithTwo) {
  save_png(dir_ + "/src/a.png", pattern_image(8, 8, 3, 1));
  const std::string out = dir_ + "/d.zip";
  EXPECT_EQ(run({"dataset", "--source", dir_ + "/missing", "--dest", out}).exit_code, 2);
  EXPECT_EQ(run({"dataset", "--source", dir_ + "/src", "--dest", out, "--transform", "stretch"}).exit_code,
            2);
  EXPECT_EQ(run({"dataset", "--source", dir_ + "/src", "--dest", out, "--resolution", "12"}).exit_code, 2);
  EXPECT_EQ(run({"dataset", "--source", dir_ + "/src", "--dest", dir_ + "/d.tar"}).exit_code, 2);
  EXPECT_EQ(run({"dataset", "--dest", out}).exit_code, 2);
  write_text(dir_ + "/empty/readme.txt", "no images");
  auto empty = run({"dataset", "--source", dir_ + "/empty", "--dest", out});
  EXPECT_EQ(empty.exit_code, 2) << empty.output;
  EXPECT_NE(empty.output.find("no .png"), std::string::npos) << empty.output;
  write_text(dir_ + "/broken/x.png", "not an image");
  auto broken = run({"dataset", "--source", dir_ + "/broken", "--dest", out});
  EXPECT_EQ(broken.exit_code, 2) << broken.output;
  EXPECT_NE(broken.output.find("x.png"), std::string::npos) << broken.output;
  EXPECT_FALSE(exists(out));
}

#else

TEST_F(DatasetCommand, NeedsLibzip) {
  auto r = run({"dataset", "--source", dir_, "--dest", dir_ + "/d.zip"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("libzip"), std::string::npos) << r.output;
}

#endif

}  // namespace
}  // namespace stylescope::test
