#pragma once
// Adam as torch.optim.Adam computes it (no weight decay, no amsgrad), with its state in the open so that
// snapshots can store it under the official parameter names (DESIGN.md: opt_G.<param>.exp_avg).
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

namespace stylescope::train {

struct AdamSettings {
  double lr = 0.0025;
  double beta1 = 0, beta2 = 0.99;
  double eps = 1e-8;
  // The lazy-regularization correction of the official loop (spec §5.2): with a regularization interval
  // k, lr *= k/(k+1) and betas are raised to the power k/(k+1).
  static AdamSettings lazy(double lr, int reg_interval, double beta1 = 0, double beta2 = 0.99);
};

class Adam {
 public:
  // `params` are (official name, tensor) pairs; tensors with requires_grad false are still listed but never
  // updated (frozen layers keep their state empty).
  Adam(std::vector<std::pair<std::string, torch::Tensor>> params, AdamSettings settings);

  // One update from the current .grad() of each parameter; parameters without a gradient are skipped as
  // torch does. (The official loop's NaN/Inf clean-up happens before, in ProcessGroup::average_gradients.)
  void step();
  void zero_grad();

  const AdamSettings& settings() const { return settings_; }
  void set_lr(double lr) { settings_.lr = lr; }
  int64_t steps() const { return steps_; }

  // State tensors by name ("<param>.exp_avg", "<param>.exp_avg_sq") and the step counter, for snapshots.
  std::vector<std::pair<std::string, torch::Tensor>> state() const;
  // Restores what state() returned. Missing entries leave that parameter's state fresh; a wrong shape throws
  // InputError naming `file`.
  void load_state(const std::vector<std::pair<std::string, torch::Tensor>>& state, int64_t steps,
                  const std::string& file);

 private:
  struct Slot {
    std::string name;
    torch::Tensor param, exp_avg, exp_avg_sq;
    int64_t step = 0;
  };
  std::vector<Slot> slots_;
  AdamSettings settings_;
  int64_t steps_ = 0;
};

}  // namespace stylescope::train
