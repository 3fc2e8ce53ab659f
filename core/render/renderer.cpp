#include "core/render/renderer.h"

#include "core/latent/latents.h"
#include "core/project/projector.h"  // w_statistics: the class centre is the projector's mean w

namespace stylescope {

std::optional<torch::Tensor> MappingCache::get(const LatentRequest& request) {
  auto it = index_.find(request.key());
  if (it == index_.end()) {
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  order_.splice(order_.begin(), order_, it->second);
  return it->second->second;
}

void MappingCache::put(const LatentRequest& request, const torch::Tensor& ws) {
  const Key key = request.key();
  auto it = index_.find(key);
  if (it != index_.end()) {
    order_.erase(it->second);
    index_.erase(it);
  }
  order_.emplace_front(key, ws);
  index_[key] = order_.begin();
  while (order_.size() > capacity_) {
    index_.erase(order_.back().first);
    order_.pop_back();
  }
}

void MappingCache::clear() {
  order_.clear();
  index_.clear();
}

Renderer::Renderer(Generator generator, torch::Device device)
    : generator_(std::move(generator)), device_(device) {
  generator_->to(device_);
}

torch::Tensor Renderer::ws_for(const LatentRequest& request) {
  if (auto hit = cache_.get(request)) return *hit;
  auto ws = ws_for_z(seed_z(request.seed, generator_->config.z_dim), request);
  cache_.put(request, ws);
  return ws;
}

torch::Tensor Renderer::ws_for_z(const torch::Tensor& z, const LatentRequest& request) {
  torch::NoGradGuard no_grad;
  auto& g = *generator_;
  auto c = class_label(g.config.c_dim, request.class_idx);
  if (c.defined()) c = c.to(device_);
  torch::Tensor ws;
  const bool to_class = request.class_center && c.defined() && request.class_idx && request.psi != 1.0;
  if (request.plain_truncation || to_class) {
    ws = g.mapping->forward(z.to(device_), c, 1.0, std::nullopt);
    if (request.psi != 1.0) {
      const torch::Tensor avg = to_class ? class_center(*request.class_idx) : g.mapping->w_avg;
      ws = request.plain_truncation ? avg + (ws - avg) * request.psi
                                    : truncate_ws(ws, avg, request.psi, request.cutoff);
    }
  } else {
    ws = g.mapping->forward(z.to(device_), c, request.psi, request.cutoff);
  }
  return ws;
}

torch::Tensor Renderer::class_center(int class_idx) {
  auto it = class_centers_.find(class_idx);
  if (it == class_centers_.end()) {
    const torch::Tensor center = w_statistics(generator_, 10000, class_idx).w_avg.reshape({-1}).to(device_);
    it = class_centers_.emplace(class_idx, center).first;
  }
  return it->second;
}

torch::Tensor Renderer::synthesize(const torch::Tensor& ws, const ForwardOptions& options, int64_t batch) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> out;
  for (int64_t i = 0; i < ws.size(0); i += batch) {
    auto chunk = ws.narrow(0, i, std::min(batch, ws.size(0) - i)).to(device_);
    out.push_back(generator_->synthesis->forward(chunk, options).to(torch::kCPU));
  }
  return torch::cat(out, 0);
}

}  // namespace stylescope
