#pragma once
// Float network output -> 8-bit pixels, bit-exact with the official scripts (spec §6.2, §6.5).
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

}  // namespace stylescope
