// generate, mix and convert, end to end, against the official reference outputs.
#include <algorithm>
#include <cmath>

#include "core/io/image.h"
#include "core/io/image_convert.h"
#include "tests/cli/cli_harness.h"

namespace stylescope::test {
namespace {

std::vector<float> slice(const std::vector<float>& all, size_t index, size_t count) {
  return std::vector<float>(all.begin() + index * count, all.begin() + (index + 1) * count);
}

class Generate : public CliTest {};

TEST_F(Generate, SeedsMatchTheOfficialGenerateScript) {
  auto r = run({"generate", "--model", kFixtures + "/skip_rgb32.pkl", "--seeds", "0-1,7", "--save-npy",
                "--threads", "2", "--out", dir_});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto ref_img = npy_values(kFixtures + "/ref/skip_rgb32/psi1_img.npy");
  const auto ref_ws = npy_values(kFixtures + "/ref/skip_rgb32/psi1_ws.npy");
  const size_t img_size = 3 * 32 * 32, ws_size = 8 * 32;
  const char* stems[] = {"seed0000", "seed0001", "seed0007"};
  for (size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(stems[i]);
    std::vector<int64_t> shape;
    const auto img = npy_values(dir_ + "/" + stems[i] + ".npy", &shape);
    EXPECT_EQ(shape, (std::vector<int64_t>{3, 32, 32}));
    EXPECT_LT(max_abs_diff(img, slice(ref_img, i, img_size)), 1e-3);
    const auto ws = npy_values(dir_ + "/" + stems[i] + "_w.npy", &shape);
    EXPECT_EQ(shape, (std::vector<int64_t>{8, 32}));
    EXPECT_LT(max_abs_diff(ws, slice(ref_ws, i, ws_size)), 1e-4);
    // The PNG is the official 8-bit conversion of the float image.
    Image8 png = read_image(dir_ + "/" + stems[i] + ".png");
    ASSERT_EQ(png.channels, 3);
    const auto expected = chw_to_hwc_uint8(slice(ref_img, i, img_size).data(), 3, 32, 32);
    int off = 0;
    for (size_t p = 0; p < expected.size(); ++p) {
      EXPECT_LE(std::abs(int(png.pixels[p]) - int(expected[p])), 1);
      off += png.pixels[p] != expected[p];
    }
    EXPECT_LT(off, 10);  // values within 1e-3 of a rounding boundary may differ by one
  }
}

TEST_F(Generate, TruncationWithCutoffMatches) {
  auto r = run({"generate", "--model", kFixtures + "/skip_rgb32.pkl", "--seeds", "1", "--trunc", "0.5",
                "--trunc-cutoff", "2", "--save-npy", "--out", dir_});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto ref = npy_values(kFixtures + "/ref/skip_rgb32/psi05_cutoff2_img.npy");
  EXPECT_LT(max_abs_diff(npy_values(dir_ + "/seed0001.npy"), slice(ref, 1, 3 * 32 * 32)), 1e-3);
}

TEST_F(Generate, ConditionalModelNeedsAClassAndUsesIt) {
  auto missing = run({"generate", "--model", kFixtures + "/orig_cond32.pkl", "--seeds", "0", "--out", dir_});
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_NE(missing.output.find("--class"), std::string::npos) << missing.output;
  auto r = run({"generate", "--model", kFixtures + "/orig_cond32.pkl", "--seeds", "7", "--class", "3",
                "--save-npy", "--out", dir_});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto ref = npy_values(kFixtures + "/ref/orig_cond32/class3_img.npy");
  EXPECT_LT(max_abs_diff(npy_values(dir_ + "/seed0007.npy"), slice(ref, 2, 3 * 32 * 32)), 1e-3);
  auto bad = run(
      {"generate", "--model", kFixtures + "/orig_cond32.pkl", "--seeds", "0", "--class", "9", "--out", dir_});
  EXPECT_EQ(bad.exit_code, 2);
}

// psi 0 as the official code: every class becomes the one w_avg tracked in training. --trunc-center class
// truncates towards the class's mean w instead: a different w per class, and psi lerps towards it.
TEST_F(Generate, TruncationTowardsTheClassMean) {
  const std::string cond = kFixtures + "/orig_cond32.pkl";
  auto ws_of = [&](const std::string& cls, const std::string& psi, const std::string& center) {
    const std::string out = dir_ + "/c" + cls + "_p" + psi + "_" + center;
    auto r = run({"generate", "--model", cond, "--seeds", "5", "--class", cls, "--trunc", psi,
                  "--trunc-center", center, "--save-npy", "--out", out});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return npy_values(out + "/seed0005_w.npy");
  };
  EXPECT_EQ(max_abs_diff(ws_of("1", "0", "global"), ws_of("3", "0", "global")), 0.0);
  const auto center1 = ws_of("1", "0", "class"), center3 = ws_of("3", "0", "class");
  EXPECT_GT(max_abs_diff(center1, center3), 1e-3);
  EXPECT_GT(max_abs_diff(center1, ws_of("1", "0", "global")), 1e-3);
  const auto full = ws_of("1", "1", "class"), half = ws_of("1", "0.5", "class");
  ASSERT_EQ(full.size(), half.size());
  double worst = 0;
  for (size_t i = 0; i < full.size(); ++i)
    worst = std::max(worst, std::abs(double(half[i]) - 0.5 * (double(full[i]) + double(center1[i]))));
  EXPECT_LT(worst, 1e-5);
  EXPECT_EQ(max_abs_diff(full, ws_of("1", "1", "global")), 0.0);  // psi 1 is untouched either way
  auto bad = run({"generate", "--model", kFixtures + "/skip_rgb32.pkl", "--seeds", "0", "--trunc", "0.5",
                  "--trunc-center", "class", "--out", dir_ + "/bad"});
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("--trunc-center"), std::string::npos) << bad.output;
}

TEST_F(Generate, NoiseModeNoneAndGrayscaleOutput) {
  auto r = run({"generate", "--model", kFixtures + "/resnet_gray16.pkl", "--seeds", "0", "--noise-mode",
                "none", "--save-npy", "--out", dir_});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto ref = npy_values(kFixtures + "/ref/resnet_gray16/noise_none_img.npy");
  EXPECT_LT(max_abs_diff(npy_values(dir_ + "/seed0000.npy"), slice(ref, 0, 16 * 16)), 1e-3);
  EXPECT_EQ(read_image(dir_ + "/seed0000.png").channels, 1);
}

TEST_F(Generate, RgbaModelWritesRgbaPngs) {
  auto r = run({"generate", "--model", kFixtures + "/skip_rgba8.pkl", "--seeds", "3", "--out", dir_});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read_image(dir_ + "/seed0003.png").channels, 4);
}

TEST_F(Generate, SavedWsRoundTripThroughDashW) {
  ASSERT_EQ(run({"generate", "--model", kFixtures + "/skip_rgb32.pkl", "--seeds", "7", "--trunc", "0.7",
                 "--save-npy", "--out", dir_})
                .exit_code,
            0);
  auto r = run({"generate", "--model", kFixtures + "/skip_rgb32.pkl", "--w", dir_ + "/seed0007_w.npy",
                "--save-npy", "--out", dir_ + "/w"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(max_abs_diff(npy_values(dir_ + "/w/proj00.npy"), npy_values(dir_ + "/seed0007.npy")), 0.0);
}

TEST_F(Generate, StyleMixingFlagsMatchTheMixReference) {
  // mix reference: row 85 with layers 0-2 from 821, psi 0.8 (style_mixing.py's plain truncation formula).
  auto r = run({"generate", "--model", kFixtures + "/skip_rgb32.pkl", "--seeds", "85", "--trunc", "0.8",
                "--mix-seed", "821", "--styles", "0-2", "--save-npy", "--out", dir_});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_LT(
      max_abs_diff(npy_values(dir_ + "/seed0085.npy"), npy_values(kFixtures + "/ref/skip_rgb32/mix_img.npy")),
      1e-3);
}

TEST_F(Generate, MixWritesWhatStyleMixingWrites) {
  auto r = run({"mix", "--model", kFixtures + "/skip_rgb32.pkl", "--rows", "85", "--cols", "821,5",
                "--styles", "0-2", "--trunc", "0.8", "--save-npy", "--out", dir_});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* f : {"85-85", "821-821", "5-5", "85-821", "85-5"}) {
    EXPECT_TRUE(exists(dir_ + "/" + f + ".png")) << f;
    EXPECT_TRUE(exists(dir_ + "/" + f + ".npy")) << f;
    EXPECT_TRUE(exists(dir_ + "/" + f + "_w.npy")) << f;
  }
  EXPECT_LT(
      max_abs_diff(npy_values(dir_ + "/85-821.npy"), npy_values(kFixtures + "/ref/skip_rgb32/mix_img.npy")),
      1e-3);
  Image8 grid = read_image(dir_ + "/grid.png");
  EXPECT_EQ(grid.width, 3 * 32);
  EXPECT_EQ(grid.height, 2 * 32);
  Image8 cell = read_image(dir_ + "/85-821.png");
  for (int y = 0; y < 32; ++y)
    for (int x = 0; x < 32; ++x)
      for (int c = 0; c < 3; ++c) ASSERT_EQ(grid.at(32 + y, 32 + x, c), cell.at(y, x, c));
  for (int c = 0; c < 3; ++c) EXPECT_EQ(grid.at(5, 5, c), 0);  // the empty corner cell is black
}

TEST_F(Generate, MixAcrossClassesMapsEachRoleWithItsClass) {
  const std::string model = kFixtures + "/orig_cond32.pkl";
  auto r = run({"mix", "--model", model, "--rows", "1", "--cols", "2", "--class", "3", "--col-class", "1",
                "--styles", "0-3", "--save-npy", "--out", dir_});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const auto& [seed, class_idx] : {std::pair{"1", "3"}, std::pair{"2", "1"}})
    ASSERT_EQ(run({"generate", "--model", model, "--seeds", seed, "--class", class_idx, "--save-npy", "--out",
                   dir_ + "/gen"})
                  .exit_code,
              0);
  const auto row = npy_values(dir_ + "/gen/seed0001_w.npy"), col = npy_values(dir_ + "/gen/seed0002_w.npy");
  EXPECT_EQ(max_abs_diff(npy_values(dir_ + "/1-1_w.npy"), row), 0.0) << "rows take --class";
  EXPECT_EQ(max_abs_diff(npy_values(dir_ + "/2-2_w.npy"), col), 0.0) << "columns take --col-class";
  std::vector<int64_t> shape;
  const auto mixed = npy_values(dir_ + "/1-2_w.npy", &shape);
  ASSERT_EQ(shape.size(), 2u);
  const size_t coarse = 4 * static_cast<size_t>(shape[1]);
  ASSERT_GT(mixed.size(), coarse);
  ASSERT_GT(max_abs_diff(row, col), 0.0);
  EXPECT_EQ(max_abs_diff(slice(mixed, 0, coarse), slice(col, 0, coarse)), 0.0) << "ws 0-3 from the column";
  EXPECT_EQ(max_abs_diff(std::vector<float>(mixed.begin() + coarse, mixed.end()),
                         std::vector<float>(row.begin() + coarse, row.end())),
            0.0)
      << "the rest from the row";

  // A seed in both roles would name two images SEED-SEED.png; an unconditional model has no class.
  auto shared = run({"mix", "--model", model, "--rows", "1,2", "--cols", "2", "--class", "3", "--col-class",
                     "1", "--out", dir_ + "/shared"});
  EXPECT_EQ(shared.exit_code, 2) << shared.output;
  EXPECT_NE(shared.output.find("seed 2"), std::string::npos) << shared.output;
  auto uncond = run({"mix", "--model", kFixtures + "/skip_rgb32.pkl", "--rows", "1", "--cols", "2",
                     "--col-class", "1", "--out", dir_ + "/uncond"});
  EXPECT_EQ(uncond.exit_code, 2) << uncond.output;
  EXPECT_NE(uncond.output.find("--col-class"), std::string::npos) << uncond.output;
}

TEST_F(Generate, ConvertedSafetensorsGiveIdenticalImages) {
  const std::string st = dir_ + "/model.safetensors";
  auto c = run({"convert", "--model", kFixtures + "/resnet_gray16.pkl", "--out", st});
  ASSERT_EQ(c.exit_code, 0) << c.output;
  ASSERT_EQ(run({"generate", "--model", kFixtures + "/resnet_gray16.pkl", "--seeds", "0,1", "--save-npy",
                 "--out", dir_ + "/a"})
                .exit_code,
            0);
  ASSERT_EQ(run({"generate", "--model", st, "--seeds", "0,1", "--save-npy", "--out", dir_ + "/b"}).exit_code,
            0);
  for (const char* f : {"seed0000.npy", "seed0001.npy", "seed0001_w.npy"})
    EXPECT_EQ(max_abs_diff(npy_values(dir_ + "/a/" + f), npy_values(dir_ + "/b/" + f)), 0.0) << f;
  auto info = run({"info", "--model", st});
  ASSERT_EQ(info.exit_code, 0) << info.output;
  EXPECT_NE(info.output.find("\"D\""), std::string::npos) << "D converted along with G_ema";
}

TEST_F(Generate, BadFlagsExitWithCodeTwo) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"generate", "--model", kFixtures + "/skip_rgb32.pkl", "--seeds", "3-1", "--out", dir_},
           {"generate", "--model", kFixtures + "/skip_rgb32.pkl", "--seeds", "0", "--noise-mode", "loud"},
           {"generate", "--model", kFixtures + "/skip_rgb32.pkl"},
           {"generate", "--model", kFixtures + "/skip_rgb32.pkl", "--seeds", "0", "--mix-seed", "1",
            "--styles", "0-99", "--out", dir_},
           {"generate", "--model", kFixtures + "/skip_rgb32.pkl", "--w",
            kFixtures + "/ref/skip_rgb32/psi1_img.npy", "--out", dir_},
           {"mix", "--model", kFixtures + "/skip_rgb32.pkl", "--rows", "1", "--cols", "x"},
           {"convert", "--model", kFixtures + "/skip_rgb32.pkl", "--out", dir_ + "/x.bin"}}) {
    auto r = run(args);
    EXPECT_EQ(r.exit_code, 2) << args[0] << " " << r.output;
    EXPECT_NE(r.output.find("stylescope"), std::string::npos) << r.output;
  }
}

TEST_F(Generate, ClassesAndTruncationSweepFillFoldersAndAGrid) {
  const std::string model = kFixtures + "/orig_cond32.pkl";
  auto r = run({"generate", "--model", model, "--seeds", "3,7", "--classes", "0-2", "--trunc-sweep", "1,0.5",
                "--grid", "--out", dir_});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // The same image as a plain run with that class and psi.
  auto single = run({"generate", "--model", model, "--seeds", "7", "--class", "2", "--trunc", "0.5", "--out",
                     dir_ + "/single"});
  ASSERT_EQ(single.exit_code, 0) << single.output;
  const Image8 swept = read_image(dir_ + "/class02/psi0.5/seed0007.png");
  const Image8 plain = read_image(dir_ + "/single/seed0007.png");
  EXPECT_EQ(swept.pixels, plain.pixels);
  EXPECT_TRUE(exists(dir_ + "/class00/psi1/seed0003.png"));
  // grid.png: rows class0 psi1, class0 psi0.5, class1 psi1, ...; columns the seeds.
  const Image8 grid = read_image(dir_ + "/grid.png");
  ASSERT_EQ(grid.width, 2 * 32);
  ASSERT_EQ(grid.height, 6 * 32);
  for (int y = 0; y < 32; ++y)
    for (int x = 0; x < 32; ++x)
      for (int c = 0; c < 3; ++c) ASSERT_EQ(grid.at(5 * 32 + y, 32 + x, c), plain.at(y, x, c));
  // Rows differ: another class or psi is another image.
  const Image8 other = read_image(dir_ + "/class02/psi1/seed0007.png");
  EXPECT_NE(other.pixels, plain.pixels);
}

TEST_F(Generate, ClassesAndSweepRejectWhatCannotWork) {
  const std::string cond = kFixtures + "/orig_cond32.pkl", plain = kFixtures + "/skip_rgb32.pkl";
  const std::vector<std::vector<std::string>> bad = {
      {"--model", plain, "--seeds", "0", "--classes", "0-1"},               // not conditional
      {"--model", cond, "--seeds", "0", "--classes", "0-5"},                // class 5 of 5
      {"--model", cond, "--seeds", "0", "--classes", "0", "--class", "1"},  // both
      {"--model", plain, "--seeds", "0", "--trunc-sweep", "1,x"},           // not a number
      {"--model", plain, "--w", kFixtures + "/ref/skip_rgb32/psi1_ws.npy", "--trunc-sweep", "1,0.5"},
  };
  for (const auto& args : bad) {
    std::vector<std::string> full = {"generate"};
    full.insert(full.end(), args.begin(), args.end());
    full.insert(full.end(), {"--out", dir_});
    auto r = run(full);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  }
}

}  // namespace
}  // namespace stylescope::test
