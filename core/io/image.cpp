#include "core/io/image.h"

#include <climits>
#include <memory>
#include <stdexcept>

// Debian's libstb ships the compiled implementations; only the declarations are included here.
#include <stb_image.h>
#include <stb_image_write.h>

#include "core/io/errors.h"
#include "core/util/atomic_file.h"

namespace stylescope {
namespace {

void check_dimensions(int width, int height, int channels) {
  if (width <= 0 || height <= 0) {
    throw std::invalid_argument("image size " + std::to_string(width) + "x" + std::to_string(height) +
                                " is empty");
  }
  if (channels < 1 || channels > 4)
    throw std::invalid_argument("images have 1 to 4 channels, not " + std::to_string(channels));
  // stb computes row strides and buffer sizes in int.
  if (static_cast<int64_t>(width) * height * channels > INT_MAX)
    throw std::invalid_argument("image too large for PNG encoding");
}

void append_bytes(void* context, void* data, int size) {
  auto* out = static_cast<std::vector<uint8_t>*>(context);
  const auto* bytes = static_cast<const uint8_t*>(data);
  out->insert(out->end(), bytes, bytes + size);
}

}  // namespace

std::vector<uint8_t> encode_png(const uint8_t* pixels, int width, int height, int channels) {
  check_dimensions(width, height, channels);
  if (pixels == nullptr) throw std::invalid_argument("encode_png: null pixels");
  std::vector<uint8_t> out;
  if (stbi_write_png_to_func(append_bytes, &out, width, height, channels, pixels, width * channels) == 0) {
    throw std::bad_alloc();  // stb fails only when it cannot allocate
  }
  return out;
}

void write_png(const std::string& path, const uint8_t* pixels, int width, int height, int channels) {
  const std::vector<uint8_t> png = encode_png(pixels, width, height, channels);
  write_file_atomic(path, png.data(), png.size());
}

void write_png(const std::string& path, const Image8& image) {
  if (image.pixels.size() != static_cast<size_t>(image.width) * image.height * image.channels) {
    throw std::invalid_argument("write_png: pixel buffer does not match the image size");
  }
  write_png(path, image.pixels.data(), image.width, image.height, image.channels);
}

Image8 decode_image(const ByteBuffer& bytes, const std::string& name, int desired_channels) {
  if (desired_channels < 0 || desired_channels > 4) {
    throw std::invalid_argument("decode_image: desired_channels must be 0-4");
  }
  if (bytes.size > static_cast<size_t>(INT_MAX)) throw InputError(name, "image file too large (over 2 GiB)");
  const int length = static_cast<int>(bytes.size);
  int width = 0, height = 0, channels = 0;
  if (bytes.size == 0 || !stbi_info_from_memory(bytes.data, length, &width, &height, &channels)) {
    throw InputError(name, "not an image (expected PNG or JPEG)");
  }
  std::unique_ptr<stbi_uc, void (*)(void*)> pixels(
      stbi_load_from_memory(bytes.data, length, &width, &height, &channels, desired_channels),
      stbi_image_free);
  if (!pixels) {
    const char* reason = stbi_failure_reason();
    throw InputError(name, std::string("cannot decode the image: ") + (reason ? reason : "unknown error"));
  }
  Image8 image;
  image.width = width;
  image.height = height;
  image.channels = desired_channels != 0 ? desired_channels : channels;
  const size_t size =
      static_cast<size_t>(width) * static_cast<size_t>(height) * static_cast<size_t>(image.channels);
  image.pixels.assign(pixels.get(), pixels.get() + size);
  return image;
}

Image8 read_image(const std::string& path, int desired_channels) {
  return decode_image(read_file(path), path, desired_channels);
}

}  // namespace stylescope
