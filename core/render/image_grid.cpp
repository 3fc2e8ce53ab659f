#include "core/render/image_grid.h"

#include <algorithm>
#include <stdexcept>

namespace stylescope {

std::vector<uint8_t> tile_images(const std::vector<const uint8_t*>& cells, int cols, int rows, int res,
                                 int channels) {
  if (cells.size() != static_cast<size_t>(cols) * rows)
    throw std::invalid_argument("tile_images: cell count");
  const size_t row_bytes = static_cast<size_t>(res) * channels;
  const size_t grid_stride = static_cast<size_t>(cols) * row_bytes;
  std::vector<uint8_t> grid(grid_stride * rows * res, 0);
  if (channels == 4)
    for (size_t p = 3; p < grid.size(); p += 4) grid[p] = 255;
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      const uint8_t* src = cells[static_cast<size_t>(r) * cols + c];
      if (!src) continue;
      for (int y = 0; y < res; ++y)
        std::copy_n(src + y * row_bytes, row_bytes,
                    grid.data() + (static_cast<size_t>(r) * res + y) * grid_stride +
                        static_cast<size_t>(c) * row_bytes);
    }
  return grid;
}

}  // namespace stylescope
