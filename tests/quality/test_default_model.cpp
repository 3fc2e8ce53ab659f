// The shipped default model's quality (issue 8, models/README.md): a classifier trained on the real
// Fashion-MNIST training images must score at least 85% on the real test images, and at least 70% of the
// model's class-conditional samples (30 seeds per class, psi 1) must be classified as their class. The
// per-class diversity (mean pairwise distance of samples vs. real images) is reported and must not collapse.
//
// STYLESCOPE_QUALITY_MODEL=<file> judges another model (e.g. a training snapshot);
// STYLESCOPE_QUALITY_REPORT=<file.json> writes the numbers the model card quotes.
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include "core/latent/latents.h"
#include "core/model/model_file.h"
#include "core/render/renderer.h"
#include "tests/quality/fashion_classifier.h"

namespace stylescope::quality {
namespace {

constexpr int kClasses = 10;
constexpr int kSeedsPerClass = 30;
const char* const kClassNames[kClasses] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                           "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value && *value ? value : fallback;
}

class DefaultModelQuality : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    torch::set_num_threads(2);
    const std::string data_dir = env_or("STYLESCOPE_FASHION_MNIST_DIR", STYLESCOPE_FASHION_MNIST_DIR);
    train_ = new LabelledImages(read_fashion_mnist(data_dir, "train"));
    test_ = new LabelledImages(read_fashion_mnist(data_dir, "t10k"));
    classifier_ = new Classifier(train_classifier(*train_, 2, 0));
    report_ = new nlohmann::json{{"model", model_path()}};
  }
  static void TearDownTestSuite() {
    const std::string report_path = env_or("STYLESCOPE_QUALITY_REPORT", "");
    if (!report_path.empty()) std::ofstream(report_path) << report_->dump(2) << "\n";
    delete report_;
    delete classifier_;
    delete test_;
    delete train_;
  }
  static std::string model_path() {
    return env_or("STYLESCOPE_QUALITY_MODEL", std::string(STYLESCOPE_MODELS_DIR) + "/default.safetensors");
  }
  // The model's samples for one class, seeds 0..29, psi 1, const noise, as `generate` makes them.
  static torch::Tensor samples(Renderer& renderer, int class_idx) {
    std::vector<torch::Tensor> ws;
    for (uint32_t seed = 0; seed < kSeedsPerClass; ++seed)
      ws.push_back(renderer.ws_for(LatentRequest{seed, class_idx, 1.0, std::nullopt, false}));
    return generated_to_classifier_input(
        renderer.synthesize(torch::cat(ws), ForwardOptions{}, kSeedsPerClass));
  }

  static LabelledImages* train_;
  static LabelledImages* test_;
  static Classifier* classifier_;
  static nlohmann::json* report_;
};
LabelledImages* DefaultModelQuality::train_ = nullptr;
LabelledImages* DefaultModelQuality::test_ = nullptr;
Classifier* DefaultModelQuality::classifier_ = nullptr;
nlohmann::json* DefaultModelQuality::report_ = nullptr;

TEST_F(DefaultModelQuality, ClassifierScoresAtLeast85PercentOnTheRealTestImages) {
  const double accuracy =
      predict(*classifier_, test_->images).eq(test_->labels).to(torch::kFloat64).mean().item<double>();
  std::cout << "classifier accuracy on the 10,000 real test images: " << accuracy << "\n";
  (*report_)["classifier_test_accuracy"] = accuracy;
  EXPECT_GE(accuracy, 0.85);
}

TEST_F(DefaultModelQuality, SamplesAreClassifiedAsTheirClassAndDiverse) {
  LoadedModel model = load_model(model_path());
  ASSERT_EQ(model.config.c_dim, kClasses) << model_path() << " is not a 10-class conditional model";
  ASSERT_EQ(model.config.img_resolution, 32);
  Renderer renderer(model.G, torch::kCPU);

  int correct_total = 0;
  double diversity_ratio_sum = 0;
  nlohmann::json per_class = nlohmann::json::array();
  std::cout << std::fixed << std::setprecision(3)
            << "class            classified  diversity(samples)  diversity(real)  ratio\n";
  for (int k = 0; k < kClasses; ++k) {
    const auto images = samples(renderer, k);
    const int correct = predict(*classifier_, images).eq(k).sum().item<int>();
    // Real images of the class: its first 300 in the test split.
    const auto real_index = test_->labels.eq(k).nonzero().flatten().narrow(0, 0, 300);
    const double real_diversity = mean_pairwise_distance(test_->images.index_select(0, real_index));
    const double diversity = mean_pairwise_distance(images);
    correct_total += correct;
    diversity_ratio_sum += diversity / real_diversity;
    std::cout << std::left << std::setw(17) << kClassNames[k] << std::right << std::setw(4) << correct << "/"
              << kSeedsPerClass << std::setw(19) << diversity << std::setw(17) << real_diversity
              << std::setw(8) << diversity / real_diversity << "\n";
    per_class.push_back({{"class", k},
                         {"name", kClassNames[k]},
                         {"classified_as_class", correct},
                         {"samples", kSeedsPerClass},
                         {"diversity_samples", diversity},
                         {"diversity_real", real_diversity}});
    // Collapse to one image per class would score well on the classifier but is not a model. The floor is
    // calibrated, not aspirational: the official trainer in the default model's configuration on the same GPU
    // gave ratios of 0.33-0.52 per class at 20 kimg, and StyleScope's runs 0.24-0.51 between 36 and 204 kimg
    // (conditional StyleGAN2 this early varies texture more than shape; models/README.md, limitations).
    EXPECT_GE(diversity / real_diversity, 0.2) << kClassNames[k] << ": samples collapsed to nearly one image";
  }
  const double accuracy = static_cast<double>(correct_total) / (kClasses * kSeedsPerClass);
  const double mean_ratio = diversity_ratio_sum / kClasses;
  std::cout << "samples classified as their class: " << accuracy << "; mean diversity ratio " << mean_ratio
            << "\n";
  (*report_)["sample_accuracy"] = accuracy;
  (*report_)["mean_diversity_ratio"] = mean_ratio;
  (*report_)["per_class"] = per_class;
  EXPECT_GE(accuracy, 0.70);
}

}  // namespace
}  // namespace stylescope::quality
