#pragma once
// ModelHost: loads models on a worker thread while the previous one stays in use, hands the current model's
// FrameRenderer to the render thread, and remembers recently opened files between runs.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/explore/frame_renderer.h"

namespace stylescope::gui {

struct LoadEvent {
  std::string path;
  std::string error;  // empty: the model is now current
};

class ModelHost {
 public:
  ModelHost(torch::Device device, ForwardOptions base_options);
  ~ModelHost();
  void load_async(const std::string& path);
  // UI thread, once per frame: the outcome of a finished load, if any.
  std::optional<LoadEvent> poll();
  bool loading() const { return loading_; }
  const std::string& loading_path() const { return loading_path_; }
  double loading_seconds() const;

  // Makes `model` current at once, without a file or a recent-files entry: the fine-tune panel's live
  // G_ema copies. The w slider ranges are recomputed only when w_dim changes.
  void adopt(std::shared_ptr<LoadedModel> model);

  std::shared_ptr<FrameRenderer> current() const;
  uint64_t generation() const { return generation_; }
  // Per-dimension range of w over sampled seeds (for the w sliders), [w_dim] each.
  const std::vector<float>& w_low() const { return w_low_; }
  const std::vector<float>& w_high() const { return w_high_; }

  const std::vector<std::string>& recent() const { return recent_; }
  torch::Device device() const { return device_; }
  // The forward options every renderer of this window starts from (for renderers on other threads).
  const ForwardOptions& base_options() const { return base_options_; }

 private:
  struct Loaded {
    std::shared_ptr<FrameRenderer> renderer;
    std::vector<float> low, high;
  };
  void remember(const std::string& path);
  torch::Device device_;
  ForwardOptions base_options_;
  mutable std::mutex mutex_;
  std::shared_ptr<FrameRenderer> current_;
  std::vector<float> w_low_, w_high_;
  std::atomic<uint64_t> generation_{0};
  std::thread worker_;
  std::atomic<bool> loading_{false};
  std::string loading_path_;
  double loading_start_ = 0;
  std::optional<Loaded> finished_;
  std::optional<LoadEvent> event_;
  std::vector<std::string> recent_;
};

}  // namespace stylescope::gui
