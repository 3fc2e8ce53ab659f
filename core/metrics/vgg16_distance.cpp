#include <filesystem>
#include <sstream>

#include <torch/script.h>

#include "core/io/errors.h"
#include "core/metrics/image_distance.h"

namespace stylescope {
namespace {

std::string first_line(const std::string& text) {
  const auto end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}

class Vgg16Lpips : public ImageDistance {
 public:
  Vgg16Lpips(const std::string& path, torch::Device device) : path_(path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) throw InputError(path, "no such file");
    try {
      module_ = torch::jit::load(path, device);
    } catch (const c10::Error& e) {
      throw InputError(path, "not a TorchScript file (NVIDIA's vgg16.pt is one): " +
                                 first_line(e.what_without_backtrace()));
    }
    if (!module_.find_method("forward")) throw InputError(path, "the TorchScript module has no forward()");
    const auto& schema = module_.get_method("forward").function().getSchema();
    for (const char* name : {"resize_images", "return_lpips"})
      if (!schema.argumentIndexWithName(name)) {
        std::ostringstream found;
        found << schema;
        throw InputError(path, std::string("forward() has no '") + name +
                                   "' argument: NVIDIA's vgg16.pt is called as forward(img, resize_images, "
                                   "return_lpips), this module as " +
                                   first_line(found.str()));
      }
    module_.eval();
    for (auto p : module_.parameters()) p.set_requires_grad(false);
  }

  std::string kind() const override { return "lpips-vgg16"; }
  std::string description() const override { return "LPIPS through VGG16 (" + path_ + ")"; }

  torch::Tensor features(const torch::Tensor& images) override {
    torch::Tensor rgb = images;
    if (rgb.size(1) == 1 || rgb.size(1) == 2) rgb = rgb.narrow(1, 0, 1).repeat({1, 3, 1, 1});
    if (rgb.size(1) == 4) rgb = rgb.narrow(1, 0, 3);
    torch::jit::Kwargs kwargs{{"resize_images", false}, {"return_lpips", true}};
    c10::IValue out;
    try {
      out = module_.get_method("forward")({rgb}, kwargs);
    } catch (const c10::Error& e) {
      throw InputError(path_, "forward() failed on a [" + std::to_string(rgb.size(0)) + ", 3, " +
                                  std::to_string(rgb.size(2)) + ", " + std::to_string(rgb.size(3)) +
                                  "] image batch: " + first_line(e.what_without_backtrace()));
    }
    if (!out.isTensor() || out.toTensor().dim() < 2 || out.toTensor().size(0) != rgb.size(0))
      throw InputError(path_,
                       "forward(img, resize_images=False, return_lpips=True) did not return one feature "
                       "row per image");
    return out.toTensor().flatten(1);
  }

  torch::Tensor distance(const torch::Tensor& a, const torch::Tensor& b) override {
    return (a - b).square().sum(1);
  }

 private:
  std::string path_;
  torch::jit::Module module_;
};

}  // namespace

std::unique_ptr<ImageDistance> load_vgg16_lpips(const std::string& path, torch::Device device) {
  return std::make_unique<Vgg16Lpips>(path, device);
}

}  // namespace stylescope
