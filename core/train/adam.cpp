#include "core/train/adam.h"

#include <cmath>
#include <map>

#include "core/io/errors.h"

namespace stylescope::train {

AdamSettings AdamSettings::lazy(double lr, int reg_interval, double beta1, double beta2) {
  AdamSettings s;
  const double ratio = reg_interval > 0 ? reg_interval / (reg_interval + 1.0) : 1.0;
  s.lr = lr * ratio;
  s.beta1 = std::pow(beta1, ratio);
  s.beta2 = std::pow(beta2, ratio);
  return s;
}

Adam::Adam(std::vector<std::pair<std::string, torch::Tensor>> params, AdamSettings settings)
    : settings_(settings) {
  for (auto& [name, p] : params) slots_.push_back({name, p, {}, {}, 0});
}

void Adam::zero_grad() {
  for (auto& s : slots_)
    if (s.param.grad().defined()) s.param.mutable_grad() = torch::Tensor();
}

void Adam::step() {
  torch::NoGradGuard no_grad;
  ++steps_;
  for (auto& s : slots_) {
    if (!s.param.requires_grad() || !s.param.grad().defined()) continue;
    const torch::Tensor& grad = s.param.grad();
    if (!s.exp_avg.defined()) {
      s.exp_avg = torch::zeros_like(s.param);
      s.exp_avg_sq = torch::zeros_like(s.param);
    }
    ++s.step;
    s.exp_avg.mul_(settings_.beta1).add_(grad, 1 - settings_.beta1);
    s.exp_avg_sq.mul_(settings_.beta2).addcmul_(grad, grad, 1 - settings_.beta2);
    const double bias1 = 1 - std::pow(settings_.beta1, static_cast<double>(s.step));
    const double bias2 = 1 - std::pow(settings_.beta2, static_cast<double>(s.step));
    const double step_size = settings_.lr / bias1;
    torch::Tensor denom = (s.exp_avg_sq.sqrt() / std::sqrt(bias2)).add_(settings_.eps);
    s.param.addcdiv_(s.exp_avg, denom, -step_size);
  }
}

std::vector<std::pair<std::string, torch::Tensor>> Adam::state() const {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (auto& s : slots_) {
    if (!s.exp_avg.defined()) continue;
    out.emplace_back(s.name + ".exp_avg", s.exp_avg);
    out.emplace_back(s.name + ".exp_avg_sq", s.exp_avg_sq);
    out.emplace_back(s.name + ".step", torch::full({}, static_cast<double>(s.step), torch::kFloat64));
  }
  return out;
}

void Adam::load_state(const std::vector<std::pair<std::string, torch::Tensor>>& state, int64_t steps,
                      const std::string& file) {
  std::map<std::string, torch::Tensor> by_name(state.begin(), state.end());
  torch::NoGradGuard no_grad;
  for (auto& s : slots_) {
    auto avg = by_name.find(s.name + ".exp_avg");
    auto sq = by_name.find(s.name + ".exp_avg_sq");
    auto step = by_name.find(s.name + ".step");
    if (avg == by_name.end() || sq == by_name.end() || step == by_name.end()) continue;
    if (!avg->second.sizes().equals(s.param.sizes()) || !sq->second.sizes().equals(s.param.sizes()))
      throw InputError(file, "optimizer state of " + s.name + " does not match the parameter's shape");
    s.exp_avg = avg->second.to(s.param.options()).clone();
    s.exp_avg_sq = sq->second.to(s.param.options()).clone();
    s.step = static_cast<int64_t>(step->second.item<double>());
  }
  steps_ = steps;
}

}  // namespace stylescope::train
