#include "core/train/training_stats.h"

#include <cmath>

namespace stylescope::train {

void TrainingStats::report(const std::string& name, const torch::Tensor& values) {
  auto v = values.detach().to(torch::kCPU, torch::kFloat64).reshape({-1});
  if (v.numel() == 0) return;
  const double sum = v.sum().item<double>();
  const double sum_sq = v.square().sum().item<double>();
  std::lock_guard<std::mutex> lock(mutex_);
  auto& m = moments_[name];
  if (m.empty()) m.assign(3, 0.0);
  m[0] += static_cast<double>(v.numel());
  m[1] += sum;
  m[2] += sum_sq;
}

void TrainingStats::report(const std::string& name, double value) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& m = moments_[name];
  if (m.empty()) m.assign(3, 0.0);
  m[0] += 1;
  m[1] += value;
  m[2] += value * value;
}

std::map<std::string, std::vector<double>> TrainingStats::moments() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return moments_;
}

std::map<std::string, StatSummary> TrainingStats::summarize(
    const std::map<std::string, std::vector<double>>& moments) {
  std::map<std::string, StatSummary> out;
  for (auto& [name, m] : moments) {
    if (m.size() != 3 || m[0] <= 0) continue;
    StatSummary s;
    s.num = m[0];
    s.mean = m[1] / m[0];
    s.std = std::sqrt(std::max(m[2] / m[0] - s.mean * s.mean, 0.0));
    out[name] = s;
  }
  return out;
}

std::map<std::string, StatSummary> TrainingStats::summarize() const { return summarize(moments()); }

void TrainingStats::merge(const TrainingStats& other) {
  auto theirs = other.moments();
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [name, m] : theirs) {
    auto& mine = moments_[name];
    if (mine.empty()) mine.assign(3, 0.0);
    for (size_t k = 0; k < 3 && k < m.size(); ++k) mine[k] += m[k];
  }
}

void TrainingStats::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  moments_.clear();
}

nlohmann::json stats_line(const std::map<std::string, StatSummary>& stats, double timestamp) {
  nlohmann::json line = nlohmann::json::object();
  for (auto& [name, s] : stats) line[name] = {{"num", s.num}, {"mean", s.mean}, {"std", s.std}};
  line["timestamp"] = timestamp;
  return line;
}

}  // namespace stylescope::train
