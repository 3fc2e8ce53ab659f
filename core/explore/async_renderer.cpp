#include "core/explore/async_renderer.h"

#include <chrono>

namespace stylescope {

AsyncRenderer::AsyncRenderer(RenderFn render) : render_(std::move(render)), worker_([this] { run(); }) {}

AsyncRenderer::~AsyncRenderer() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

void AsyncRenderer::submit(const RenderRequest& request) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (pending_) ++dropped_;
    pending_ = request;
  }
  wake_.notify_one();
}

std::optional<RenderedFrame> AsyncRenderer::take() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::optional<RenderedFrame> out;
  out.swap(done_);
  return out;
}

bool AsyncRenderer::busy() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return in_flight_ || pending_.has_value();
}

void AsyncRenderer::run() {
  for (;;) {
    RenderRequest request;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stop_ || pending_.has_value(); });
      if (stop_) return;
      request = std::move(*pending_);
      pending_.reset();
      in_flight_ = true;
    }
    if (request.delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(request.delay_ms));
    RenderedFrame frame;
    try {
      frame = render_(request);
    } catch (const std::exception& e) {
      frame.request = request;
      frame.error = e.what();
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = std::move(frame);
      in_flight_ = false;
      ++rendered_;
    }
  }
}

}  // namespace stylescope
