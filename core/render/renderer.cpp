#include "core/render/renderer.h"

#include "core/latent/latents.h"

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
  if (request.plain_truncation) {
    ws = g.mapping->forward(z.to(device_), c, 1.0, std::nullopt);
    if (request.psi != 1.0) {
      auto avg = g.mapping->w_avg;
      ws = avg + (ws - avg) * request.psi;
    }
  } else {
    ws = g.mapping->forward(z.to(device_), c, request.psi, request.cutoff);
  }
  return ws;
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
