#pragma once
// Tiny dataset files for the dataset tests (tests/core/test_dataset.cpp, tests/cli/test_cli_dataset.cpp).
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "core/io/image.h"

namespace stylescope::test {

// An IDX file of unsigned bytes; gzipped through zlib when `gzip`.
inline void write_idx(const std::string& path, const std::vector<uint32_t>& dims,
                      const std::vector<uint8_t>& data, bool gzip) {
  std::vector<uint8_t> bytes = {0, 0, 0x08, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims) {
    for (int shift : {24, 16, 8, 0}) bytes.push_back(static_cast<uint8_t>(d >> shift));
  }
  bytes.insert(bytes.end(), data.begin(), data.end());
  if (gzip) {
    gzFile file = gzopen(path.c_str(), "wb");
    gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(file);
  } else {
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
}

// A w x h image whose every byte is a deterministic function of (seed, position).
inline Image8 pattern_image(int width, int height, int channels, int seed) {
  Image8 image;
  image.width = width;
  image.height = height;
  image.channels = channels;
  image.pixels.resize(static_cast<size_t>(width) * height * channels);
  std::mt19937 rng(static_cast<uint32_t>(seed));
  for (auto& p : image.pixels) p = static_cast<uint8_t>(rng() & 0xff);
  return image;
}

inline Image8 solid_image(int width, int height, int channels, uint8_t value) {
  Image8 image;
  image.width = width;
  image.height = height;
  image.channels = channels;
  image.pixels.assign(static_cast<size_t>(width) * height * channels, value);
  return image;
}

inline void write_text(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// write_png, creating the folders on the way.
inline void save_png(const std::string& path, const Image8& image) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  write_png(path, image);
}

// An IDX folder of `count` images of h x w with labels i % 10 and pixel (i, y, x) = (i * 31 + y * w + x) %
// 256.
inline void write_idx_folder(const std::string& dir, int count, int height, int width, bool gzip) {
  std::filesystem::create_directories(dir);
  std::vector<uint8_t> images, labels;
  for (int i = 0; i < count; ++i) {
    labels.push_back(static_cast<uint8_t>(i % 10));
    for (int p = 0; p < height * width; ++p) images.push_back(static_cast<uint8_t>((i * 31 + p) % 256));
  }
  const std::string gz = gzip ? ".gz" : "";
  write_idx(dir + "/train-images-idx3-ubyte" + gz,
            {static_cast<uint32_t>(count), static_cast<uint32_t>(height), static_cast<uint32_t>(width)},
            images, gzip);
  write_idx(dir + "/train-labels-idx1-ubyte" + gz, {static_cast<uint32_t>(count)}, labels, gzip);
}

}  // namespace stylescope::test
