#include "core/project/projection_target.h"

#include "core/io/image_transform.h"

namespace stylescope {
namespace {

const char* channel_name(int channels) {
  switch (channels) {
    case 1:
      return "gray";
    case 2:
      return "gray+alpha";
    case 3:
      return "RGB";
    default:
      return "RGBA";
  }
}

}  // namespace

ProjectionTarget prepare_projection_target(const Image8& image, int resolution, int channels) {
  ProjectionTarget t;
  Image8 square = image;
  if (image.width != image.height) {
    square = center_crop_square(image);
    t.notes.push_back("centre-cropped from " + std::to_string(image.width) + "x" +
                      std::to_string(image.height) + " to " + std::to_string(square.width) + "x" +
                      std::to_string(square.height));
  }
  if (square.width != resolution) {
    t.notes.push_back("resized from " + std::to_string(square.width) + "x" + std::to_string(square.height) +
                      " to " + std::to_string(resolution) + "x" + std::to_string(resolution));
    square = resize_image(square, resolution, resolution);
  }
  if (square.channels != channels) {
    t.notes.push_back(std::string(channel_name(square.channels)) + " converted to " + channel_name(channels) +
                      " (the model's channels)");
    square = convert_channels(square, channels);
  }
  t.image = square;
  t.chw = torch::from_blob(t.image.pixels.data(), {resolution, resolution, channels}, torch::kUInt8)
              .permute({2, 0, 1})
              .contiguous();
  return t;
}

ProjectionTarget load_projection_target(const std::string& path, int resolution, int channels) {
  return prepare_projection_target(read_image(path), resolution, channels);
}

}  // namespace stylescope
