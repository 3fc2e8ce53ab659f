#pragma once
// The layer view of the official visualizer: one synthesis layer's activations as an image (one channel
// for the colormap, or three as RGB), optionally normalized, scaled in dB, or as a log-magnitude spectrum.
#include <cstdint>
#include <vector>

#include <torch/torch.h>

namespace stylescope {

struct LayerViewOptions {
  int channel = 0;
  bool rgb = false, normalize = true, fft = false;
  double brightness_db = 0;
  double fft_range_db = 50, fft_beta = 8;
};

struct LayerImage {
  std::vector<uint8_t> pixels;  // HWC
  int width = 0, height = 0, channels = 0;
};

// activations: [C, H, W] (any float dtype, any device).
LayerImage layer_image(const torch::Tensor& activations, const LayerViewOptions& options);

}  // namespace stylescope
