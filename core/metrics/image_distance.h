#pragma once
// How far apart two images are, for projection (core/project) and perceptual path length (ppl.h): NVIDIA's
// VGG16 LPIPS network (their `vgg16.pt`, a TorchScript file read with torch::jit::load, the file the official
// projector and metrics load) or, when that file is not at hand, StyleScope's built-in distance.
#include <memory>
#include <string>

#include <torch/torch.h>

namespace stylescope {

class ImageDistance {
 public:
  virtual ~ImageDistance() = default;
  // "lpips-vgg16" or "builtin-mse-ssim" (written into reports).
  virtual std::string kind() const = 0;
  // A line saying what the distance is, for the user.
  virtual std::string description() const = 0;
  // images [N, C, H, W] float32 in the official dynamic range [0, 255], with the model's channel count.
  // Returns per-sample features [N, ...] that distance() compares; differentiable.
  virtual torch::Tensor features(const torch::Tensor& images) = 0;
  // Per-sample distance [N] between two feature batches of the same size.
  virtual torch::Tensor distance(const torch::Tensor& a, const torch::Tensor& b) = 0;
};

// NVIDIA's vgg16.pt (or any TorchScript module with its call signature forward(img, resize_images,
// return_lpips)), on `device`. The LPIPS distance is the squared difference of the returned features,
// summed, as projector.py and perceptual_path_length.py compute it. Gray images are repeated to RGB (as
// the official PPL does) and an alpha channel is dropped. InputError naming the file when it is not
// TorchScript or its forward() lacks those arguments.
std::unique_ptr<ImageDistance> load_vgg16_lpips(const std::string& path, torch::Device device);

// Without the VGG16 file: per-pixel mean squared error in [-1, 1] units plus a multi-scale structural
// term (1 - SSIM over a 3x3 window, averaged over scales halving down to 8 pixels). Cruder than LPIPS:
// it matches colours and edges, not perceived texture.
std::unique_ptr<ImageDistance> builtin_image_distance();

}  // namespace stylescope
