#pragma once
// The Directions panel's preview strips, rendered on their own thread with their own FrameRenderer on the
// shared model (the view's worker keeps rendering meanwhile). The panel says each frame which strips it
// shows for which request; work for an older request is dropped (latest wins), and a strip stays on
// screen until its replacement is ready, as the view keeps its frame.
#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/explore/frame_renderer.h"

namespace stylescope::gui {

class DirectionPreviews {
 public:
  ~DirectionPreviews();
  // `base` is the view's request (its directions file names the set); `indices` the directions shown.
  void want(const std::shared_ptr<FrameRenderer>& model, const ForwardOptions& options,
            const RenderRequest& base, const std::vector<int>& indices);
  struct Strip {
    std::shared_ptr<const RenderedFrame> frame;  // shared, so the panel's copy stays valid when replaced
    uint64_t version = 0;  // grows with every new strip, so the panel re-uploads only what changed
    bool current = false;  // rendered for the latest request
  };
  // The newest strip of direction `index` (a copy: the worker may replace it meanwhile), empty before its
  // first.
  std::optional<Strip> strip(int index);
  bool busy() const { return busy_; }

 private:
  void run();
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread worker_;
  bool stop_ = false;
  std::atomic<bool> busy_{false};
  // What the panel wants now.
  std::shared_ptr<LoadedModel> model_;
  torch::Device device_{torch::kCPU};
  ForwardOptions options_;
  RenderRequest base_;
  std::vector<int> pending_;  // indices still to render for base_
  uint64_t request_id_ = 0;   // bumped whenever base_ or the model changes
  std::map<int, Strip> strips_;
  std::map<int, uint64_t> rendered_for_;  // request id each strip was rendered for
  uint64_t version_ = 0;
};

}  // namespace stylescope::gui
