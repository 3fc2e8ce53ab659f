#pragma once
// Projection of an image into w (StyleGAN2 paper §5; the official projector.py's project()): starting from
// the mean w, optimise w and the synthesis network's noise buffers with Adam under the learning-rate ramp-up
// and ramp-down, with noise added to w that anneals away and the multi-scale noise regularisation, so that
// the image of w comes close to the target under an image distance (VGG16 LPIPS, or the built-in one).
// Step by step, so that the CLI shows progress and the GUI a live view.
#include <cstdint>
#include <optional>
#include <vector>

#include <torch/torch.h>

#include "core/metrics/image_distance.h"
#include "core/model/generator.h"

namespace stylescope {

struct ProjectionOptions {
  int steps = 1000;  // the official defaults, names as project()'s arguments
  int w_avg_samples = 10000;
  double initial_learning_rate = 0.1;
  double initial_noise_factor = 0.05;
  double lr_rampdown_length = 0.25;
  double lr_rampup_length = 0.05;
  double noise_ramp_length = 0.75;
  double regularize_noise_weight = 1e5;
  uint64_t seed = 303;  // what projector.py passes to torch.manual_seed
  // One w per layer (w+), a departure from the official method: closer fits, less editable latents.
  bool wplus = false;
  // Conditional models: the class the mean w is taken for; unset, samples cycle through the classes.
  std::optional<int> class_idx;
};

// The mean w and its spread, as project() computes them: `samples` z from np.random.RandomState(123)
// through the mapping network (a conditional model's samples take `class_idx`, or the classes in turn).
struct WStatistics {
  torch::Tensor w_avg;  // [1, w_dim] float32 on the CPU
  double w_std = 0;
};
WStatistics w_statistics(Generator& generator, int samples, std::optional<int> class_idx);

class Projector {
 public:
  // `target`: [C, R, R] uint8 (or float in [0, 255]) at the model's resolution and channel count.
  // Computes the w statistics (options.w_avg_samples mapping passes; `stats` when given, e.g. the same for
  // every image of `attribute`) and draws the initial noise buffers. The generator is copied: its noise
  // buffers are optimised in the copy, never in `generator`.
  Projector(Generator& generator, const torch::Tensor& target, ImageDistance& distance,
            const ProjectionOptions& options, const WStatistics* stats = nullptr);

  void step();  // one optimisation step; no-op when done()
  bool done() const { return step_ >= options_.steps; }
  int steps_done() const { return step_; }
  int steps() const { return options_.steps; }
  double last_distance() const { return last_distance_; }  // distance term of the last step
  double last_loss() const { return last_loss_; }          // distance + weighted noise regularisation
  // The current w as ws [1, num_ws, w_dim] (without the step's w noise), as projector.py records it.
  torch::Tensor ws() const;
  torch::Tensor w_avg() const { return w_avg_; }  // [1, w_dim]
  double w_std() const { return w_std_; }

 private:
  Generator G_{nullptr};
  ImageDistance& distance_;
  ProjectionOptions options_;
  int64_t num_ws_;
  at::Generator rng_;
  torch::Tensor w_avg_, w_opt_, target_features_;
  double w_std_ = 0;
  std::vector<torch::Tensor> noise_;
  std::unique_ptr<torch::optim::Adam> optimizer_;
  int step_ = 0;
  double last_distance_ = 0, last_loss_ = 0;
};

// Images as the projector's distance sees them: [N, C, R, R] float in [0, 255], downsampled by area to 256
// when larger (projector.py: "VGG was built for 224x224 images").
torch::Tensor projector_view(const torch::Tensor& images_0_255);

// The noise regularisation of projector.py: for each buffer and each scale down to 8x8, the squared mean
// autocorrelation with its one-pixel roll along each axis.
torch::Tensor noise_regularization(const std::vector<torch::Tensor>& noise_buffers);

}  // namespace stylescope
