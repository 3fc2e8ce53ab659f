#pragma once
// Geometry and channel conversions of 8-bit images (core/io/image.h) for datasets: centre crop, resize
// (stb_image_resize), centred padding, channel conversion and mirroring. All return new images.
#include "core/io/image.h"

namespace stylescope {

bool is_power_of_two(int64_t value);
int floor_power_of_two(int value);  // value >= 1
int ceil_power_of_two(int value);   // value >= 1

// The centred min(h, w) square: rows [(h - s) / 2, (h + s) / 2), as dataset_tool.py's center-crop.
Image8 center_crop_square(const Image8& image);
// Resampled to width x height with stb_image_resize's default filters (alpha is not premultiplied).
Image8 resize_image(const Image8& image, int width, int height);
// Centre-crop to a square, then resize to size x size (nothing is done to an image of that size already).
Image8 crop_resize_square(const Image8& image, int size);
// Black (all channels 0) canvas of size x size with the image at ((size - w) / 2, (size - h) / 2).
// std::invalid_argument when the image is larger than the canvas.
Image8 pad_center(const Image8& image, int size);
// 1 = L, 2 = LA, 3 = RGB, 4 = RGBA. Colour to gray uses ITU-R 601-2 luma as PIL's convert('L') does;
// gray to colour replicates; alpha is dropped, or added as 255.
Image8 convert_channels(const Image8& image, int channels);
// Mirrored left-right, in place.
void flip_x(Image8& image);

}  // namespace stylescope
