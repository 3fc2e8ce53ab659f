#pragma once
// Computes a direction set (SeFa or PCA) for the loaded model on a worker thread, with progress and cancel,
// and writes it to dirs.npy + dirs.json so the session can refer to it.
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/explore/frame_renderer.h"

namespace stylescope::gui {

class DirectionsJob {
 public:
  ~DirectionsJob();
  // method: "sefa" or "pca".
  void start(std::shared_ptr<FrameRenderer> model, const std::string& method, int k, int64_t samples,
             std::optional<int> class_idx, const std::string& out);
  bool running() const { return running_; }
  float progress() const { return progress_; }
  void cancel() { cancel_ = true; }
  // Once after a job ends: the file written (empty when it failed) and the error, if any.
  bool take_result(std::string& file, std::string& error);

 private:
  std::thread worker_;
  std::atomic<bool> running_{false}, cancel_{false}, finished_{false};
  std::atomic<float> progress_{0};
  std::mutex mutex_;
  std::string file_, error_;
};

}  // namespace stylescope::gui
