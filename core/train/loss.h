#pragma once
// The official StyleGAN2 loss (spec §5.1, training/loss.py StyleGAN2Loss): non-saturating logistic loss,
// R1 on reals, path-length regularization and style-mixing regularization, phase by phase. Every random
// draw goes through LossRandom, so tests can feed the values the official code drew.
#include <cstdint>
#include <functional>

#include <torch/torch.h>

#include "core/model/generator.h"
#include "core/train/training_stats.h"

namespace stylescope::train {

enum class Phase { Gmain, Greg, Gboth, Dmain, Dreg, Dboth };
const char* phase_name(Phase phase);

struct LossSettings {
  double r1_gamma = 10;
  double style_mixing_prob = 0.9;
  double pl_weight = 2, pl_decay = 0.01;
  int pl_batch_shrink = 2;
  // Mode-seeking regularization (Mao et al., CVPR 2019; not in the official loss, 0 keeps it off): in the
  // G main phase the batch's second half takes the first half's classes, and G is also trained to
  // minimize ms_weight / (mean|img_a - img_b| / mean|z_a - z_b| + 1e-5) over those pairs, so that a
  // conditional G cannot draw one image per class whatever z is. A pair shares its synthesis noise, so
  // the term rewards what the latents change, not stronger noise.
  double ms_weight = 0;
  NoiseMode noise_mode = NoiseMode::Random;  // synthesis noise while training (tests use Const)
};

// The random values the official loss draws, in its order.
class LossRandom {
 public:
  virtual ~LossRandom() = default;
  // Style-mixing crossover layer in [1, num_ws), or num_ws for no mixing (drawn with probability 1 - prob).
  virtual int64_t mixing_cutoff(int64_t num_ws, double prob) = 0;
  virtual torch::Tensor mixing_z(const torch::Tensor& z) = 0;    // randn_like(z)
  virtual torch::Tensor pl_noise(const torch::Tensor& img) = 0;  // randn_like(img) / sqrt(H*W)
};

// The official draws from torch's global generator: random_(1, num_ws), rand() < prob, randn_like.
class TorchLossRandom : public LossRandom {
 public:
  int64_t mixing_cutoff(int64_t num_ws, double prob) override;
  torch::Tensor mixing_z(const torch::Tensor& z) override;
  torch::Tensor pl_noise(const torch::Tensor& img) override;
};

using DiscriminatorFn = std::function<torch::Tensor(const torch::Tensor& img, const torch::Tensor& c)>;

class StyleGAN2Loss {
 public:
  StyleGAN2Loss(Generator G, DiscriminatorFn D, LossSettings settings, LossRandom& random);

  // Back-propagates mean(loss) * gain of `phase` into the networks' .grad (accumulating), and reports the
  // official statistics ("Loss/G/loss", "Loss/D/loss", "Loss/r1_penalty", ...) into `stats` when given.
  // real_img is float in [-1, 1]; c tensors are [N, c_dim] (undefined or [N, 0] when unconditional).
  void accumulate_gradients(Phase phase, const torch::Tensor& real_img, const torch::Tensor& real_c,
                            const torch::Tensor& gen_z, const torch::Tensor& gen_c, double gain,
                            TrainingStats* stats = nullptr);

  // Mapping (training mode: updates w_avg) + style mixing + synthesis. Returns {img, ws}.
  std::pair<torch::Tensor, torch::Tensor> run_G(const torch::Tensor& z, const torch::Tensor& c,
                                                int64_t noise_pairs = 0);

  const LossSettings& settings() const { return settings_; }
  void set_r1_gamma(double gamma) { settings_.r1_gamma = gamma; }
  torch::Tensor pl_mean;  // scalar, starts at 0; not part of the official pickle but of our snapshots

 private:
  Generator G_;
  DiscriminatorFn D_;
  LossSettings settings_;
  LossRandom& random_;
};

}  // namespace stylescope::train
