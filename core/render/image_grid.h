#pragma once
// Tiles equally sized HWC uint8 images into one grid image (the mixing figure, edit sweeps, video grids).
#include <cstdint>
#include <vector>

namespace stylescope {

// `cells` is row-major, cols*rows entries of res*res*channels bytes; a null cell stays black (opaque for
// RGBA). Returns a (cols*res) x (rows*res) image.
std::vector<uint8_t> tile_images(const std::vector<const uint8_t*>& cells, int cols, int rows, int res,
                                 int channels);

}  // namespace stylescope
