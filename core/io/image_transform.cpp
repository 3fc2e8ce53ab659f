#include "core/io/image_transform.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>

// Debian's libstb ships the compiled implementation; only the declarations are included here.
#include <stb_image_resize.h>

namespace stylescope {
namespace {

Image8 blank(int width, int height, int channels) {
  Image8 out;
  out.width = width;
  out.height = height;
  out.channels = channels;
  out.pixels.assign(static_cast<size_t>(width) * height * channels, 0);
  return out;
}

// Copies a w x h window at (x0, y0) of `src` into `dst` at (dx, dy); both have the same channel count.
void copy_window(const Image8& src, int x0, int y0, int w, int h, Image8& dst, int dx, int dy) {
  const size_t c = static_cast<size_t>(src.channels);
  for (int y = 0; y < h; ++y) {
    const uint8_t* from = src.pixels.data() + ((static_cast<size_t>(y0 + y) * src.width + x0) * c);
    uint8_t* to = dst.pixels.data() + ((static_cast<size_t>(dy + y) * dst.width + dx) * c);
    std::memcpy(to, from, static_cast<size_t>(w) * c);
  }
}

uint8_t luma(uint8_t r, uint8_t g, uint8_t b) {
  // PIL's fixed-point L = R * 299/1000 + G * 587/1000 + B * 114/1000, rounded.
  return static_cast<uint8_t>((r * 19595u + g * 38470u + b * 7471u + 0x8000u) >> 16);
}

}  // namespace

bool is_power_of_two(int64_t value) { return value > 0 && (value & (value - 1)) == 0; }

int floor_power_of_two(int value) {
  int p = 1;
  while (p <= value / 2) p *= 2;
  return p;
}

int ceil_power_of_two(int value) {
  int p = 1;
  while (p < value) p *= 2;
  return p;
}

Image8 center_crop_square(const Image8& image) {
  const int side = std::min(image.width, image.height);
  if (side == image.width && side == image.height) return image;
  Image8 out = blank(side, side, image.channels);
  copy_window(image, (image.width - side) / 2, (image.height - side) / 2, side, side, out, 0, 0);
  return out;
}

Image8 resize_image(const Image8& image, int width, int height) {
  if (width <= 0 || height <= 0) throw std::invalid_argument("resize_image: empty target size");
  if (width == image.width && height == image.height) return image;
  Image8 out = blank(width, height, image.channels);
  if (!stbir_resize_uint8(image.pixels.data(), image.width, image.height, 0, out.pixels.data(), width, height,
                          0, image.channels)) {
    throw std::bad_alloc();  // stb fails only when it cannot allocate its work buffer
  }
  return out;
}

Image8 crop_resize_square(const Image8& image, int size) {
  if (image.width == size && image.height == size) return image;
  return resize_image(center_crop_square(image), size, size);
}

Image8 pad_center(const Image8& image, int size) {
  if (image.width > size || image.height > size) {
    throw std::invalid_argument("a " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                                " image does not fit in " + std::to_string(size) + "x" +
                                std::to_string(size));
  }
  Image8 out = blank(size, size, image.channels);
  copy_window(image, 0, 0, image.width, image.height, out, (size - image.width) / 2,
              (size - image.height) / 2);
  return out;
}

Image8 convert_channels(const Image8& image, int channels) {
  if (channels < 1 || channels > 4) throw std::invalid_argument("convert_channels: channels must be 1-4");
  if (channels == image.channels) return image;
  Image8 out = blank(image.width, image.height, channels);
  const bool src_color = image.channels >= 3, src_alpha = image.channels == 2 || image.channels == 4;
  const bool dst_color = channels >= 3, dst_alpha = channels == 2 || channels == 4;
  const size_t count = static_cast<size_t>(image.width) * image.height;
  for (size_t i = 0; i < count; ++i) {
    const uint8_t* s = image.pixels.data() + i * image.channels;
    uint8_t* d = out.pixels.data() + i * channels;
    const uint8_t alpha = src_alpha ? s[image.channels - 1] : 255;
    if (dst_color) {
      for (int k = 0; k < 3; ++k) d[k] = src_color ? s[k] : s[0];
    } else {
      d[0] = src_color ? luma(s[0], s[1], s[2]) : s[0];
    }
    if (dst_alpha) d[channels - 1] = alpha;
  }
  return out;
}

void flip_x(Image8& image) {
  const size_t c = static_cast<size_t>(image.channels);
  for (int y = 0; y < image.height; ++y) {
    uint8_t* row = image.pixels.data() + static_cast<size_t>(y) * image.width * c;
    for (int a = 0, b = image.width - 1; a < b; ++a, --b) {
      for (size_t k = 0; k < c; ++k) std::swap(row[a * c + k], row[b * c + k]);
    }
  }
}

}  // namespace stylescope
