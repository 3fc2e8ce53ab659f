// `project`, `attribute` and `metrics` end to end: the official projector's outputs, their use by other
// commands, and clear errors for bad input.
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/io/image.h"
#include "tests/cli/cli_harness.h"
#ifdef STYLESCOPE_HAVE_VIDEO
#include "tests/io/video_decode.h"
#endif

namespace stylescope::test {
namespace {

const std::string kModel = kFixtures + "/skip_rgb32.pkl";
const std::string kVgg = kFixtures + "/vgg16_fixture.pt";

class Project : public CliTest {
 protected:
  // A target the model generated (seed 5), as a PNG.
  std::string generated_target() {
    auto r = run({"generate", "--model", kModel, "--seeds", "5", "--out", dir_ + "/gen"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return dir_ + "/gen/seed0005.png";
  }
  nlohmann::json json_file(const std::string& path) {
    std::ifstream in(path);
    return nlohmann::json::parse(in);
  }
};

TEST_F(Project, WritesTheOfficialOutputsWhichOtherCommandsLoad) {
  const std::string out = dir_ + "/proj";
  auto r = run({"project", "--model", kModel, "--target", generated_target(), "--vgg16", kVgg, "--steps",
                "20", "--w-avg-samples", "500", "--threads", "2", "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("distance"), std::string::npos);
  const auto report = json_file(out + "/report.json");
  EXPECT_EQ(report["distance_kind"], "lpips-vgg16");
  EXPECT_EQ(report["steps"], 20);
  EXPECT_EQ(report["seed"], 303);
  EXPECT_GT(report["distance"].get<double>(), 0.0);
  EXPECT_TRUE(report["target_notes"].empty());
  EXPECT_EQ(read_image(out + "/target.png").width, 32);
  const Image8 proj = read_image(out + "/proj.png");
  EXPECT_EQ(proj.channels, 3);
#ifdef STYLESCOPE_HAVE_ZIP
  // projected_w.npz renders with const noise to exactly proj.png.
  auto g = run({"generate", "--model", kModel, "--w", out + "/projected_w.npz", "--out", dir_ + "/from_w"});
  ASSERT_EQ(g.exit_code, 0) << g.output;
  const Image8 again = read_image(dir_ + "/from_w/proj00.png");
  EXPECT_EQ(again.pixels, proj.pixels);
#endif
#ifdef STYLESCOPE_HAVE_VIDEO
  const DecodedVideo video = decode_video(out + "/proj.mp4");
  EXPECT_EQ(video.width, 64);  // target beside projection
  EXPECT_EQ(video.height, 32);
  EXPECT_DOUBLE_EQ(video.fps, 10.0);
  EXPECT_EQ(video.luma.size(), 20u);  // one frame per step
#endif
  auto quiet = run({"project", "--model", kModel, "--target", generated_target(), "--steps", "3",
                    "--w-avg-samples", "50", "--no-save-video", "--out", dir_ + "/quiet"});
  ASSERT_EQ(quiet.exit_code, 0) << quiet.output;
  EXPECT_FALSE(exists(dir_ + "/quiet/proj.mp4"));
  EXPECT_NE(quiet.output.find("built-in distance"), std::string::npos) << quiet.output;
  EXPECT_EQ(json_file(dir_ + "/quiet/report.json")["distance_kind"], "builtin-mse-ssim");
}

TEST_F(Project, BadInputGetsOneLineAndExitCode2) {
  const std::string text = dir_ + "/notes.png";
  std::ofstream(text) << "not an image";
  auto r = run({"project", "--model", kModel, "--target", text, "--out", dir_ + "/a"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("notes.png"), std::string::npos) << r.output;
  EXPECT_FALSE(exists(dir_ + "/a/report.json"));
  r = run({"project", "--model", kModel, "--target", generated_target(), "--vgg16",
           kFixtures + "/vgg16_wrong_signature.pt", "--out", dir_ + "/b"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("vgg16_wrong_signature.pt: forward() has no 'resize_images'"), std::string::npos)
      << r.output;
  r = run({"project", "--model", kModel, "--target", generated_target(), "--vgg16", kModel, "--out",
           dir_ + "/c"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("not a TorchScript file"), std::string::npos) << r.output;
}

TEST_F(Project, GrayTargetsForAnRgbModelAreConvertedAndSaid) {
  const std::string gray = dir_ + "/gray.png";
  std::vector<uint8_t> pixels(48 * 40);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i * 7);
  write_png(gray, pixels.data(), 48, 40, 1);
  auto r = run({"project", "--model", kModel, "--target", gray, "--steps", "2", "--w-avg-samples", "20",
                "--no-save-video", "--out", dir_ + "/g"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("target: centre-cropped from 48x40"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("gray converted to RGB"), std::string::npos) << r.output;
  EXPECT_EQ(read_image(dir_ + "/g/target.png").channels, 3);
}

TEST_F(Project, AttributeListsEachImagesDistance) {
  const std::string images = dir_ + "/images";
  auto g = run({"generate", "--model", kModel, "--seeds", "1-2", "--out", images});
  ASSERT_EQ(g.exit_code, 0) << g.output;
  std::ofstream(images + "/broken.png") << "not a png";  // skipped with a warning, the others still count
  auto r = run({"attribute", "--model", kModel, "--images", images, "--vgg16", kVgg, "--steps", "5",
                "--w-avg-samples", "50", "--out", dir_ + "/attribution.json"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("seed0001.png\t"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("warning: skipped"), std::string::npos) << r.output;
  const auto report = json_file(dir_ + "/attribution.json");
  ASSERT_EQ(report["results"].size(), 3u);
  EXPECT_EQ(report["results"][0]["image"], "broken.png");
  EXPECT_TRUE(report["results"][0].contains("error"));
  EXPECT_EQ(report["results"][2]["image"], "seed0002.png");
  EXPECT_GT(report["results"][2]["distance"].get<double>(), 0.0);
  EXPECT_EQ(report["distance_kind"], "lpips-vgg16");
  // --class on an unconditional model is refused, as by every other command.
  auto cls = run({"attribute", "--model", kModel, "--images", images, "--class", "1", "--steps", "1"});
  EXPECT_EQ(cls.exit_code, 2) << cls.output;
}

TEST_F(Project, MetricsPrintsAnOfficialJsonLine) {
  auto r = run({"metrics", "--model", kModel, "--metric", "ppl2_wend", "--vgg16", kVgg, "--samples", "8",
                "--out", dir_ + "/metric-ppl2_wend.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto line = json_file(dir_ + "/metric-ppl2_wend.jsonl");
  EXPECT_EQ(line["metric"], "ppl2_wend");
  EXPECT_GT(line["results"]["ppl2_wend"].get<double>(), 0.0);
  EXPECT_EQ(line["num_samples"], 8);
  auto missing = run({"metrics", "--model", kModel, "--metric", "ppl_wend"});
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_NE(missing.output.find("--vgg16"), std::string::npos) << missing.output;
  auto unknown = run({"metrics", "--model", kModel, "--metric", "fid50k", "--vgg16", kVgg});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
}

// A conditional model samples its labels from a labelled dataset with --data (as the official metric draws
// dataset labels); labels of another length are an error naming the dataset.
TEST_F(Project, MetricsOnAConditionalModelTakeLabelsFromData) {
  const std::string data = dir_ + "/data";
  std::filesystem::create_directories(data);
  nlohmann::json labels = nlohmann::json::array();
  for (int i = 0; i < 5; ++i) {
    std::vector<uint8_t> px(32 * 32 * 3, static_cast<uint8_t>(40 * i));
    const std::string name = "img" + std::to_string(i) + ".png";
    write_png(data + "/" + name, px.data(), 32, 32, 3);
    labels.push_back({name, i});
  }
  std::ofstream(data + "/dataset.json") << nlohmann::json{{"labels", labels}}.dump();
  const std::string cond = kFixtures + "/orig_cond32.pkl";
  auto r = run({"metrics", "--model", cond, "--metric", "ppl_zend", "--vgg16", kVgg, "--samples", "4",
                "--data", data});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("\"ppl_zend\""), std::string::npos) << r.output;
  auto uniform = run({"metrics", "--model", cond, "--metric", "ppl_zend", "--vgg16", kVgg, "--samples", "4"});
  ASSERT_EQ(uniform.exit_code, 0) << uniform.output;
  // Four labels only: one-hot of max label + 1 = 4 dimensions, the model has 5.
  nlohmann::json four = nlohmann::json::array();
  for (int i = 0; i < 5; ++i)
    four.push_back(nlohmann::json::array({"img" + std::to_string(i) + ".png", i % 4}));
  std::ofstream(data + "/dataset.json") << nlohmann::json{{"labels", four}}.dump();
  auto bad = run({"metrics", "--model", cond, "--metric", "ppl_zend", "--vgg16", kVgg, "--samples", "4",
                  "--data", data});
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("data: labels have 4 dimensions, the model 5"), std::string::npos) << bad.output;
}

}  // namespace
}  // namespace stylescope::test
