#pragma once
// Per-tick statistics in the schema of the official training_stats: every reported element of a named
// statistic is collected, and a tick's line holds {"num", "mean", "std"} for each name that received any.
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <torch/torch.h>
#include <nlohmann/json.hpp>

namespace stylescope::train {

struct StatSummary {
  double num = 0, mean = 0, std = 0;
};

class TrainingStats {
 public:
  void report(const std::string& name, const torch::Tensor& values);  // every element counts once
  void report(const std::string& name, double value);
  // Sums the moments of every statistic over the process group first (see ProcessGroup) when given.
  std::map<std::string, StatSummary> summarize() const;
  // Moments as [num, sum, sum of squares] per name, in name order: what processes exchange.
  std::map<std::string, std::vector<double>> moments() const;
  static std::map<std::string, StatSummary> summarize(
      const std::map<std::string, std::vector<double>>& moments);
  void merge(const TrainingStats& other);  // adds other's moments
  void clear();

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::vector<double>> moments_;  // [num, sum, sum_sq]
};

// One line of stats.jsonl: the official layout, statistics with no samples left out.
nlohmann::json stats_line(const std::map<std::string, StatSummary>& stats, double timestamp);

}  // namespace stylescope::train
