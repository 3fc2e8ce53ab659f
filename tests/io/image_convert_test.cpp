#include "core/io/image_convert.h"

#include <cmath>
#include <limits>

#include "io_test_util.h"

namespace stylescope {
namespace {

// Bit-exact against the official conversions computed by torch (generate.py / projector.py) on 2580
// values: every value whose result lands on an integer boundary, its float32 neighbours, and extremes.
TEST(ImageConvert, MatchesOfficialConversionBitExactly) {
  const nlohmann::json data = test::load_json("convert_vectors.json");
  const auto& inputs = data["inputs"];
  ASSERT_GT(inputs.size(), 2000u);
  int fused_differs = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const float x = static_cast<float>(test::hex_double(inputs[i]));
    EXPECT_EQ(float_to_uint8(x, PixelConversion::Generate), data["generate"][i].get<int>()) << inputs[i];
    EXPECT_EQ(float_to_uint8(x, PixelConversion::Projector), data["projector"][i].get<int>()) << inputs[i];
    // A fused multiply-add (one rounding) gives a different pixel for some of these inputs, so this test
    // fails if the compiler contracts x * 127.5f + 128.0f.
    const float fused = std::fma(x, 127.5f, 128.0f);
    const int fused_pixel = !(fused > 0) ? 0 : fused >= 255 ? 255 : static_cast<int>(fused);
    if (fused_pixel != data["generate"][i].get<int>()) ++fused_differs;
  }
  EXPECT_GT(fused_differs, 50);
  EXPECT_EQ(fused_differs, data["fma_would_differ"].get<int>());
}

TEST(ImageConvert, EdgeCases) {
  EXPECT_EQ(float_to_uint8(0.0f), 128);
  EXPECT_EQ(float_to_uint8(1.0f), 255);  // 255.5 clamps
  EXPECT_EQ(float_to_uint8(-1.0f), 0);   // 0.5 truncates to 0
  EXPECT_EQ(float_to_uint8(1.9f), 255);
  EXPECT_EQ(float_to_uint8(-1.9f), 0);
  EXPECT_EQ(float_to_uint8(0.5f), 191);            // 191.75 truncates
  EXPECT_EQ(float_to_uint8(-0.5f), 64);            // 64.25
  EXPECT_EQ(float_to_uint8(-1.0f / 255.0f), 127);  // ~127.5: truncation, not rounding
  EXPECT_EQ(float_to_uint8(std::numeric_limits<float>::quiet_NaN()), 0);
  EXPECT_EQ(float_to_uint8(std::numeric_limits<float>::infinity()), 255);
  EXPECT_EQ(float_to_uint8(-std::numeric_limits<float>::infinity()), 0);
  EXPECT_EQ(float_to_uint8(0.0f, PixelConversion::Projector), 127);  // 127.5
  EXPECT_EQ(float_to_uint8(1.0f, PixelConversion::Projector), 255);
  EXPECT_EQ(float_to_uint8(-1.0f, PixelConversion::Projector), 0);
  EXPECT_EQ(float_to_uint8(1.9f, PixelConversion::Projector), 255);
  EXPECT_EQ(float_to_uint8(-0.5f, PixelConversion::Projector), 63);  // 63.75
}

TEST(ImageConvert, ChwToHwcLayout) {
  // [C=3, H=2, W=2]: channel c, pixel i holds (c * 4 + i) / 12 - 0.5.
  std::vector<float> chw(12);
  for (int i = 0; i < 12; ++i) chw[i] = static_cast<float>(i) / 12.0f - 0.5f;
  const std::vector<uint8_t> hwc = chw_to_hwc_uint8(chw.data(), 3, 2, 2);
  ASSERT_EQ(hwc.size(), 12u);
  for (int pixel = 0; pixel < 4; ++pixel) {
    for (int c = 0; c < 3; ++c)
      EXPECT_EQ(hwc[pixel * 3 + c], float_to_uint8(chw[c * 4 + pixel])) << pixel << c;
  }
  const std::vector<uint8_t> proj = chw_to_hwc_uint8(chw.data(), 1, 3, 4, PixelConversion::Projector);
  for (int i = 0; i < 12; ++i) EXPECT_EQ(proj[i], float_to_uint8(chw[i], PixelConversion::Projector));
  EXPECT_THROW(chw_to_hwc_uint8(chw.data(), 0, 2, 2), std::invalid_argument);
}

}  // namespace
}  // namespace stylescope
