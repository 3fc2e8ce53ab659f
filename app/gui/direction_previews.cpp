#include "app/gui/direction_previews.h"

#include <algorithm>

#include "core/explore/direction_strip.h"

namespace stylescope::gui {

DirectionPreviews::~DirectionPreviews() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void DirectionPreviews::want(const std::shared_ptr<FrameRenderer>& model, const ForwardOptions& options,
                             const RenderRequest& base, const std::vector<int>& indices) {
  if (!model) return;
  std::lock_guard<std::mutex> lock(mutex_);
  const std::shared_ptr<LoadedModel> shared = model->shared_model();
  if (shared != model_ || base != base_) {
    if (shared != model_) strips_.clear();
    model_ = shared;
    device_ = model->device();
    options_ = options;
    base_ = base;
    ++request_id_;
  }
  pending_.clear();
  for (int index : indices) {
    auto it = rendered_for_.find(index);
    if (it == rendered_for_.end() || it->second != request_id_) pending_.push_back(index);
  }
  if (!worker_.joinable()) worker_ = std::thread(&DirectionPreviews::run, this);
  if (!pending_.empty()) wake_.notify_one();
}

std::optional<DirectionPreviews::Strip> DirectionPreviews::strip(int index) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = strips_.find(index);
  if (it == strips_.end()) return std::nullopt;
  Strip copy = it->second;
  copy.current = rendered_for_[index] == request_id_;
  return copy;
}

void DirectionPreviews::run() {
  std::unique_ptr<FrameRenderer> renderer;
  std::shared_ptr<LoadedModel> renderer_model;
  for (;;) {
    std::unique_lock<std::mutex> lock(mutex_);
    wake_.wait(lock, [this] { return stop_ || !pending_.empty(); });
    if (stop_) return;
    const int index = pending_.front();
    pending_.erase(pending_.begin());
    const uint64_t id = request_id_;
    const RenderRequest base = base_;
    if (renderer_model != model_) {
      renderer_model = model_;
      renderer = std::make_unique<FrameRenderer>(model_, device_, options_);
    }
    busy_ = true;
    lock.unlock();
    RenderedFrame frame = render_direction_strip(*renderer, base, index, direction_strip_alphas());
    lock.lock();
    busy_ = !pending_.empty();
    // A strip of an older request still beats none; the panel asks again for the current one.
    if (id != request_id_ && strips_.count(index)) continue;
    rendered_for_[index] = id;  // also after an error, so a failing strip is not retried every frame
    if (!frame.error.empty()) continue;
    strips_[index] =
        Strip{std::make_shared<const RenderedFrame>(std::move(frame)), ++version_, id == request_id_};
  }
}

}  // namespace stylescope::gui
