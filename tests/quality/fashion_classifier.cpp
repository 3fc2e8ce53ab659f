#include "tests/quality/fashion_classifier.h"

#include <filesystem>

#include "core/io/errors.h"
#include "core/io/idx.h"

namespace stylescope::quality {
namespace {

std::string idx_file(const std::string& dir, const std::string& stem) {
  for (const std::string& name : {stem + ".gz", stem}) {
    const std::string path = (std::filesystem::path(dir) / name).string();
    if (std::filesystem::exists(path)) return path;
  }
  throw InputError(dir, "no " + stem + "[.gz] (install Debian's dataset-fashion-mnist: scripts/setup)");
}

}  // namespace

LabelledImages read_fashion_mnist(const std::string& dir, const std::string& split) {
  const IdxArray images = read_idx(idx_file(dir, split + "-images-idx3-ubyte"));
  const IdxArray labels = read_idx(idx_file(dir, split + "-labels-idx1-ubyte"));
  if (images.dims.size() != 3 || labels.dims.size() != 1 || images.dims[0] != labels.dims[0])
    throw InputError(dir, "the " + split + " images and labels do not match");
  LabelledImages out;
  out.images = torch::from_blob(const_cast<uint8_t*>(images.data.data()),
                                {images.dims[0], 1, images.dims[1], images.dims[2]}, torch::kUInt8)
                   .to(torch::kFloat32)
                   .div(255.0);
  out.labels = torch::from_blob(const_cast<uint8_t*>(labels.data.data()), {labels.dims[0]}, torch::kUInt8)
                   .to(torch::kInt64);
  return out;
}

torch::Tensor generated_to_classifier_input(const torch::Tensor& images) {
  // (x * 127.5 + 128).clamp(0, 255) truncated, as generate.py writes its PNGs.
  auto pixels =
      (images.to(torch::kFloat32) * 127.5 + 128).clamp(0, 255).to(torch::kUInt8).to(torch::kFloat32);
  const int64_t pad = (images.size(3) - 28) / 2;
  return pixels.narrow(2, pad, 28).narrow(3, pad, 28).div(255.0);
}

ClassifierImpl::ClassifierImpl() {
  conv1 = register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 16, 5).padding(2)));
  conv2 = register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(16, 32, 5).padding(2)));
  fc = register_module("fc", torch::nn::Linear(32 * 7 * 7, 10));
}

torch::Tensor ClassifierImpl::forward(torch::Tensor x) {
  x = torch::max_pool2d(torch::relu(conv1->forward(x - 0.5)), 2);
  x = torch::max_pool2d(torch::relu(conv2->forward(x)), 2);
  return fc->forward(x.flatten(1));
}

Classifier train_classifier(const LabelledImages& train, int epochs, uint64_t seed) {
  torch::manual_seed(seed);
  Classifier net;
  torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(2e-3));
  const int64_t n = train.images.size(0), batch = 128;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    const auto order = torch::randperm(n, torch::kInt64);
    for (int64_t start = 0; start < n; start += batch) {
      const auto index = order.narrow(0, start, std::min(batch, n - start));
      optimizer.zero_grad();
      auto loss = torch::nn::functional::cross_entropy(net->forward(train.images.index_select(0, index)),
                                                       train.labels.index_select(0, index));
      loss.backward();
      optimizer.step();
    }
  }
  net->eval();
  return net;
}

torch::Tensor predict(Classifier& classifier, const torch::Tensor& images) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> parts;
  for (int64_t start = 0; start < images.size(0); start += 1000)
    parts.push_back(
        classifier->forward(images.narrow(0, start, std::min<int64_t>(1000, images.size(0) - start)))
            .argmax(1));
  return torch::cat(parts);
}

double mean_pairwise_distance(const torch::Tensor& images) {
  const auto flat = images.flatten(1).to(torch::kFloat64);
  const int64_t n = flat.size(0);
  if (n < 2) return 0.0;
  const auto d = torch::cdist(flat, flat);
  return d.sum().item<double>() / static_cast<double>(n * (n - 1));
}

}  // namespace stylescope::quality
