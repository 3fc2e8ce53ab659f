#pragma once
// A small convolutional classifier for Fashion-MNIST, trained here on the real training images, that judges
// whether the default model's class-conditional samples look like their class (models/README.md).
#include <cstdint>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace stylescope::quality {

// Images [N, 1, 28, 28] float32 in [0, 1] and labels [N] int64.
struct LabelledImages {
  torch::Tensor images;
  torch::Tensor labels;
};

// One split ("train" or "t10k") of the IDX folder Debian's dataset-fashion-mnist installs.
LabelledImages read_fashion_mnist(const std::string& dir, const std::string& split);

// 32x32 generator output (float, [-1, 1] as the network gives it) -> the [0, 1] 28x28 images the classifier
// reads: the official 8-bit conversion, then the centre crop that undoes `dataset --transform pad`.
torch::Tensor generated_to_classifier_input(const torch::Tensor& images);

struct ClassifierImpl : torch::nn::Module {
  ClassifierImpl();
  torch::Tensor forward(torch::Tensor x);  // logits [N, 10]
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  torch::nn::Linear fc{nullptr};
};
TORCH_MODULE(Classifier);

// Deterministic for a given seed and thread count.
Classifier train_classifier(const LabelledImages& train, int epochs, uint64_t seed);
torch::Tensor predict(Classifier& classifier, const torch::Tensor& images);  // labels [N]

// Mean L2 distance over all pairs of images (flattened), a simple per-class diversity measure.
double mean_pairwise_distance(const torch::Tensor& images);

}  // namespace stylescope::quality
