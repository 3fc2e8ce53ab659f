#pragma once
// 8-bit images in memory (HWC, row-major, no padding) and their files: PNG out through stb_image_write,
// PNG/JPEG (and the other formats stb_image knows) in through stb_image.
#include <cstdint>
#include <string>
#include <vector>

#include "core/io/raw_tensor.h"

namespace stylescope {

struct Image8 {
  int width = 0;
  int height = 0;
  int channels = 0;             // 1 = L, 2 = LA, 3 = RGB, 4 = RGBA
  std::vector<uint8_t> pixels;  // height * width * channels bytes

  uint8_t at(int y, int x, int c) const {
    return pixels[(static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)) *
                      static_cast<size_t>(channels) +
                  static_cast<size_t>(c)];
  }
};

// Writes a PNG atomically (encoded in memory, then write_file_atomic). `pixels` holds height * width *
// channels bytes, channels 1 (grayscale L), 2 (LA), 3 (RGB) or 4 (RGBA). std::invalid_argument for bad
// dimensions; InputError when the file cannot be written.
void write_png(const std::string& path, const uint8_t* pixels, int width, int height, int channels);
void write_png(const std::string& path, const Image8& image);
// The PNG file bytes without writing them.
std::vector<uint8_t> encode_png(const uint8_t* pixels, int width, int height, int channels);

// Decodes an image file. desired_channels 0 keeps the file's channels; 1-4 converts (as stb does: gray to
// RGB replicates, RGB to gray uses stb's integer luma weights, alpha added as 255). 16-bit PNGs are
// reduced to 8 bits. InputError naming the file when it is not an image stb can decode.
Image8 read_image(const std::string& path, int desired_channels = 0);
Image8 decode_image(const ByteBuffer& bytes, const std::string& name, int desired_channels = 0);

}  // namespace stylescope
