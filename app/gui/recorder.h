#pragma once
// Recorder: renders the timeline's frames on its own thread, with its own FrameRenderer on the shared model,
// and writes them to an MP4 or a PNG-frame folder as they come (the `video` command's outputs). The UI polls
// progress and can cancel; a cancelled or failed recording leaves no file behind.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/explore/frame_renderer.h"

namespace stylescope::gui {

class Recorder {
 public:
  ~Recorder();
  // Starts recording every frame of `timeline` (a request with timeline keys) to `out`: `.mp4`, or a folder
  // (a trailing '/' or an existing directory). A bad output is reported through take_result(), not thrown.
  void start(std::shared_ptr<LoadedModel> model, torch::Device device, ForwardOptions options,
             const RenderRequest& timeline, int64_t frames, double fps, int crf, const std::string& out);
  bool running() const { return running_; }
  // A recording has ended and take_result() has not been called yet.
  bool result_pending() const { return finished_; }
  void cancel() { cancel_ = true; }
  int64_t frames_done() const { return done_; }
  int64_t frames_total() const { return total_; }
  // Seconds left at the rate so far (negative before the first frame).
  double eta_seconds() const;
  // Once after a recording ends: true, with the output written (empty when cancelled or failed) and the
  // error (empty unless it failed).
  bool take_result(std::string& written, std::string& error);

 private:
  void run(std::shared_ptr<LoadedModel> model, torch::Device device, ForwardOptions options,
           RenderRequest timeline, double fps, int crf, std::string out);
  std::thread worker_;
  std::atomic<bool> running_{false}, cancel_{false}, finished_{false};
  std::atomic<int64_t> done_{0}, total_{0};
  std::chrono::steady_clock::time_point started_;
  std::mutex mutex_;
  std::string written_, error_;
};

}  // namespace stylescope::gui
