#include "core/metrics/image_distance.h"

namespace stylescope {
namespace {

namespace F = torch::nn::functional;

torch::Tensor local_mean(const torch::Tensor& x) {
  return F::avg_pool2d(x, F::AvgPool2dFuncOptions(3).stride(1).padding(1).count_include_pad(false));
}

// 1 - SSIM per sample, over a 3x3 window; images in [-1, 1] (data range 2).
torch::Tensor structural_dissimilarity(const torch::Tensor& x, const torch::Tensor& y) {
  const double c1 = (0.01 * 2) * (0.01 * 2), c2 = (0.03 * 2) * (0.03 * 2);
  const auto mx = local_mean(x), my = local_mean(y);
  const auto vx = local_mean(x * x) - mx * mx, vy = local_mean(y * y) - my * my;
  const auto cxy = local_mean(x * y) - mx * my;
  const auto ssim = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
  return 1 - ssim.flatten(1).mean(1);
}

class BuiltinDistance : public ImageDistance {
 public:
  std::string kind() const override { return "builtin-mse-ssim"; }
  std::string description() const override {
    return "built-in distance: pixel MSE + multi-scale (1 - SSIM); pass --vgg16 for the official LPIPS";
  }
  torch::Tensor features(const torch::Tensor& images) override { return images / 127.5 - 1; }
  torch::Tensor distance(const torch::Tensor& a, const torch::Tensor& b) override {
    auto mse = (a - b).square().flatten(1).mean(1);
    torch::Tensor structural = torch::zeros_like(mse);
    int scales = 0;
    torch::Tensor x = a, y = b;
    while (true) {
      structural = structural + structural_dissimilarity(x, y);
      ++scales;
      if (x.size(2) <= 8 || x.size(3) <= 8) break;
      x = F::avg_pool2d(x, F::AvgPool2dFuncOptions(2));
      y = F::avg_pool2d(y, F::AvgPool2dFuncOptions(2));
    }
    return mse + structural / scales;
  }
};

}  // namespace

std::unique_ptr<ImageDistance> builtin_image_distance() { return std::make_unique<BuiltinDistance>(); }

}  // namespace stylescope
