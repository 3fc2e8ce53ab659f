#pragma once
// The official snapshot image grid (training_loop.setup_snapshot_image_grid): gw x gh cells, real images
// grouped by label in rows, fixed latents, and the images written as reals.png / fakes*.png with the
// official conversion rint((x + 1) * 127.5) (torch::round rounds half to even, as rint) clipped to [0, 255].
#include <cstdint>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/model/generator.h"
#include "core/train/dataset.h"

namespace stylescope::train {

struct GridImage {
  int width = 0, height = 0, channels = 0;
  std::vector<uint8_t> pixels;  // HWC
};

struct SampleGrid {
  int gw = 0, gh = 0;
  std::vector<int64_t> real_indices;  // dataset index of each cell, row-major
  torch::Tensor z;                    // [gw*gh, z_dim]
  torch::Tensor c;                    // [gw*gh, c_dim] (labels of the real cell images; [n, 0] when none)
};

// gw = clamp(7680 / res, 7, 32), gh = clamp(4320 / res, 4, 32) as the official loop; `max_cells` caps the
// count for previews (0: no cap). Deterministic in `seed`; draws nothing from torch's global generator.
SampleGrid setup_sample_grid(const ImageDataset& data, int z_dim, int c_dim, uint64_t seed,
                             int max_cells = 0);

GridImage reals_grid(const ImageDataset& data, const SampleGrid& grid);
// G_ema(z, c) with noise 'const', psi 1, in batches of `batch`.
GridImage fakes_grid(Generator& G, const SampleGrid& grid, int batch = 32);
// Float images [N, C, H, W] in [-1, 1] tiled gw wide with the official conversion.
GridImage tile_float_images(const torch::Tensor& images, int gw, int gh);
void write_grid_png(const std::string& path, const GridImage& grid);  // atomic

}  // namespace stylescope::train
