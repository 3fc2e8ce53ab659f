#pragma once
// Float network output -> 8-bit pixels, bit-exact with the official scripts (spec §6.2, §6.5).
#include <cstddef>
#include <cstdint>
#include <vector>

namespace stylescope {

enum class PixelConversion {
  // generate.py, style_mixing.py, gen_video.py: (x * 127.5 + 128).clamp(0, 255).to(uint8), in float32 with
  // a separate multiply and add (never a fused multiply-add), truncated toward zero.
  Generate,
  // projector.py's proj.png and video frames: ((x + 1) * 127.5).clamp(0, 255).to(uint8).
  Projector,
};

// One value; NaN becomes 0, +inf 255, -inf 0.
uint8_t float_to_uint8(float x, PixelConversion conversion = PixelConversion::Generate);

// CHW float32 [channels, height, width] -> HWC uint8, ready for write_png.
std::vector<uint8_t> chw_to_hwc_uint8(const float* chw, int channels, int height, int width,
                                      PixelConversion conversion = PixelConversion::Generate);

// The view's RGBA texels <-> an image's own channels (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA): gray is
// spread over RGB, alpha is 255 unless the image has one.
std::vector<uint8_t> channels_to_rgba(const uint8_t* hwc, size_t pixel_count, int channels);
std::vector<uint8_t> rgba_to_channels(const uint8_t* rgba, size_t pixel_count, int channels);

}  // namespace stylescope
