#pragma once
// AsyncRenderer: one worker thread and one request slot. submit() never blocks: a newer request replaces
// a pending one (the older is dropped, counted), and the UI picks finished frames up with take().
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "core/explore/frame_renderer.h"

namespace stylescope {

class AsyncRenderer {
 public:
  using RenderFn = std::function<RenderedFrame(const RenderRequest&)>;
  explicit AsyncRenderer(RenderFn render);
  ~AsyncRenderer();
  AsyncRenderer(const AsyncRenderer&) = delete;
  AsyncRenderer& operator=(const AsyncRenderer&) = delete;

  void submit(const RenderRequest& request);
  // The newest finished frame not taken yet.
  std::optional<RenderedFrame> take();
  // A request is waiting or being rendered.
  bool busy() const;
  uint64_t dropped() const { return dropped_; }
  uint64_t rendered() const { return rendered_; }

 private:
  void run();
  RenderFn render_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<RenderRequest> pending_;
  std::optional<RenderedFrame> done_;
  bool in_flight_ = false, stop_ = false;
  std::atomic<uint64_t> dropped_{0}, rendered_{0};
  std::thread worker_;
};

}  // namespace stylescope
