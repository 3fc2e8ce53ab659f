#include "core/io/image_convert.h"

#include <stdexcept>

// The official conversion rounds x * 127.5 to float32 before adding 128; a fused multiply-add skips that
// rounding and changes pixels whose value lands next to an integer. CMake compiles this file with
// -ffp-contract=off (GCC ignores the STDC pragma); clang also honours the pragma.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

namespace stylescope {
namespace {

uint8_t clamp_truncate(float v) {
  if (!(v > 0.0f)) return 0;  // also NaN
  if (v >= 255.0f) return 255;
  return static_cast<uint8_t>(v);  // float -> integer conversion truncates toward zero
}

}  // namespace

uint8_t float_to_uint8(float x, PixelConversion conversion) {
  if (conversion == PixelConversion::Generate) {
    const float scaled = x * 127.5f;
    return clamp_truncate(scaled + 128.0f);
  }
  const float shifted = x + 1.0f;
  return clamp_truncate(shifted * 127.5f);
}

std::vector<uint8_t> chw_to_hwc_uint8(const float* chw, int channels, int height, int width,
                                      PixelConversion conversion) {
  if (channels <= 0 || height < 0 || width < 0)
    throw std::invalid_argument("chw_to_hwc_uint8: bad dimensions");
  const size_t plane = static_cast<size_t>(height) * static_cast<size_t>(width);
  const size_t c_count = static_cast<size_t>(channels);
  std::vector<uint8_t> out(plane * c_count);
  for (size_t c = 0; c < c_count; ++c) {
    const float* src = chw + c * plane;
    for (size_t i = 0; i < plane; ++i) out[i * c_count + c] = float_to_uint8(src[i], conversion);
  }
  return out;
}

std::vector<uint8_t> channels_to_rgba(const uint8_t* hwc, size_t pixel_count, int channels) {
  if (channels < 1 || channels > 4) throw std::invalid_argument("channels_to_rgba: 1 to 4 channels");
  std::vector<uint8_t> rgba(pixel_count * 4);
  for (size_t p = 0; p < pixel_count; ++p) {
    const uint8_t* src = hwc + p * channels;
    uint8_t* dst = rgba.data() + p * 4;
    dst[0] = src[0];
    dst[1] = channels >= 3 ? src[1] : src[0];
    dst[2] = channels >= 3 ? src[2] : src[0];
    dst[3] = channels == 4 ? src[3] : (channels == 2 ? src[1] : 255);
  }
  return rgba;
}

std::vector<uint8_t> rgba_to_channels(const uint8_t* rgba, size_t pixel_count, int channels) {
  if (channels < 1 || channels > 4) throw std::invalid_argument("rgba_to_channels: 1 to 4 channels");
  std::vector<uint8_t> out;
  out.reserve(pixel_count * channels);
  for (size_t p = 0; p < pixel_count * 4; p += 4)
    for (int c = 0; c < channels; ++c) out.push_back(rgba[p + (channels == 2 && c == 1 ? 3 : c)]);
  return out;
}

}  // namespace stylescope
