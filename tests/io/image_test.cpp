#include "core/io/image.h"

#include <stb_image_write.h>

#include <cstdlib>
#include <random>
#include <stdexcept>

#include "core/io/tensor_ref.h"
#include "core/util/atomic_file.h"
#include "io_test_util.h"

namespace stylescope {
namespace {

using test::expect_input_error;
using test::TempDir;

// PNGs from an independent encoder (Python zlib), including 16-bit, palette and gray+alpha files.
TEST(Image, ReadsReferencePngs) {
  const nlohmann::json expected = test::load_json("png_expected.json");
  ASSERT_EQ(expected.size(), 6u);
  for (const auto& [file, info] : expected.items()) {
    SCOPED_TRACE(file);
    const Image8 image = read_image(test::io_data("png/" + file));
    EXPECT_EQ(image.width, info["width"].get<int>());
    EXPECT_EQ(image.height, info["height"].get<int>());
    EXPECT_EQ(image.channels, info["channels"].get<int>());
    EXPECT_EQ(image.pixels, info["pixels"].get<std::vector<uint8_t>>());
  }
}

TEST(Image, ConvertsChannelsOnRequest) {
  const Image8 gray = read_image(test::io_data("png/gray8.png"));
  const Image8 rgb = read_image(test::io_data("png/gray8.png"), 3);
  ASSERT_EQ(rgb.channels, 3);
  ASSERT_EQ(rgb.pixels.size(), gray.pixels.size() * 3);
  for (int y = 0; y < gray.height; ++y) {
    for (int x = 0; x < gray.width; ++x) {
      for (int c = 0; c < 3; ++c) EXPECT_EQ(rgb.at(y, x, c), gray.at(y, x, 0));
    }
  }
  const Image8 rgba = read_image(test::io_data("png/rgb8.png"), 4);
  EXPECT_EQ(rgba.channels, 4);
  EXPECT_EQ(rgba.at(2, 3, 3), 255);
  EXPECT_THROW(read_image(test::io_data("png/rgb8.png"), 5), std::invalid_argument);
}

TEST(Image, PngRoundTripEveryChannelCount) {
  TempDir dir;
  std::mt19937 rng(11);
  for (int channels = 1; channels <= 4; ++channels) {
    SCOPED_TRACE(channels);
    const int width = 37, height = 19;
    std::vector<uint8_t> pixels(static_cast<size_t>(width * height * channels));
    for (uint8_t& p : pixels) p = static_cast<uint8_t>(rng());
    const std::string path = dir / ("img" + std::to_string(channels) + ".png");
    write_png(path, pixels.data(), width, height, channels);
    const std::vector<uint8_t> file = test::file_bytes(path);
    // IHDR color type: 0 = L, 4 = LA, 2 = RGB, 6 = RGBA.
    const uint8_t color_types[] = {0, 0, 4, 2, 6};
    ASSERT_GT(file.size(), 26u);
    EXPECT_EQ(file[25], color_types[channels]);
    const Image8 back = read_image(path);
    EXPECT_EQ(back.width, width);
    EXPECT_EQ(back.height, height);
    EXPECT_EQ(back.channels, channels);
    EXPECT_EQ(back.pixels, pixels);
  }
  EXPECT_EQ(dir.entries().size(), 4u);  // no temp files left
}

TEST(Image, WritePngFromImage8AndEncode) {
  TempDir dir;
  Image8 image{2, 1, 3, {255, 0, 0, 0, 0, 255}};
  write_png(dir / "i.png", image);
  EXPECT_EQ(test::file_bytes(dir / "i.png"), encode_png(image.pixels.data(), 2, 1, 3));
  EXPECT_EQ(read_image(dir / "i.png").pixels, image.pixels);
  image.pixels.pop_back();
  EXPECT_THROW(write_png(dir / "j.png", image), std::invalid_argument);
  const uint8_t p[4] = {};
  EXPECT_THROW(encode_png(p, 0, 1, 1), std::invalid_argument);
  EXPECT_THROW(encode_png(p, 1, 1, 5), std::invalid_argument);
  EXPECT_THROW(encode_png(nullptr, 1, 1, 1), std::invalid_argument);
  expect_input_error([&] { write_png(dir / "no/such/dir/x.png", p, 1, 1, 1); },
                     {dir / "no/such/dir/x.png: cannot write"});
}

void append(void* context, void* data, int size) {
  auto* out = static_cast<std::vector<uint8_t>*>(context);
  out->insert(out->end(), static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
}

TEST(Image, ReadsJpeg) {
  const int width = 32, height = 16;
  std::vector<uint8_t> pixels(static_cast<size_t>(width * height * 3));
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      uint8_t* p = &pixels[static_cast<size_t>((y * width + x) * 3)];
      p[0] = static_cast<uint8_t>(x * 8);
      p[1] = static_cast<uint8_t>(y * 16);
      p[2] = 128;
    }
  }
  std::vector<uint8_t> jpeg;
  ASSERT_NE(stbi_write_jpg_to_func(append, &jpeg, width, height, 3, pixels.data(), 100), 0);
  ASSERT_EQ(jpeg[0], 0xff);
  ASSERT_EQ(jpeg[1], 0xd8);
  const Image8 image = decode_image(owned_bytes(jpeg), "gradient.jpg");
  EXPECT_EQ(image.width, width);
  EXPECT_EQ(image.height, height);
  EXPECT_EQ(image.channels, 3);
  int worst = 0;
  for (size_t i = 0; i < pixels.size(); ++i) worst = std::max(worst, std::abs(image.pixels[i] - pixels[i]));
  EXPECT_LE(worst, 12);
}

TEST(ImageValidation, NotAnImage) {
  TempDir dir;
  test::write_bytes(dir / "notes.png", {'h', 'e', 'l', 'l', 'o', '\n'});
  expect_input_error([&] { read_image(dir / "notes.png"); }, {dir / "notes.png: not an image"});
  test::write_bytes(dir / "empty.png", {});
  expect_input_error([&] { read_image(dir / "empty.png"); }, {dir / "empty.png: not an image"});
  expect_input_error([&] { read_image(dir / "missing.png"); }, {dir / "missing.png: cannot read"});
  expect_input_error([&] { read_image(dir.path()); }, {"Is a directory"});
}

TEST(ImageValidation, TruncatedAndCorruptPngs) {
  const std::vector<uint8_t> png = test::file_bytes(test::io_data("png/rgb8.png"));
  for (size_t n = 0; n + 12 < png.size(); ++n) {  // the IEND chunk is 12 bytes; stb stops before it
    SCOPED_TRACE(n);
    EXPECT_THROW(decode_image(owned_bytes(std::vector<uint8_t>(png.begin(), png.begin() + n)), "cut.png"),
                 InputError);
  }
  std::vector<uint8_t> corrupt = png;
  corrupt[45] ^= 0xff;  // inside the zlib stream
  try {
    decode_image(owned_bytes(corrupt), "corrupt.png");
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("corrupt.png: ", 0), 0u);
  }
}

}  // namespace
}  // namespace stylescope
