#include "core/model/mapping.h"

#include "core/io/errors.h"
#include "core/model/profile.h"

namespace stylescope {

namespace {
ops::Activation activation_of(const std::string& name) {
  if (name == "lrelu") return ops::Activation::Lrelu;
  if (name == "relu") return ops::Activation::Relu;
  return ops::Activation::Linear;
}
}  // namespace

MappingNetworkImpl::MappingNetworkImpl(const GeneratorConfig& cfg)
    : MappingNetworkImpl(cfg.z_dim, cfg.c_dim, cfg.w_dim, cfg.num_ws(), cfg.mapping) {}

MappingNetworkImpl::MappingNetworkImpl(int64_t z_dim_, int64_t c_dim_, int64_t w_dim_, int64_t num_ws_,
                                       const MappingConfig& mapping)
    : z_dim(z_dim_), c_dim(c_dim_), w_dim(w_dim_), num_ws(num_ws_), w_avg_beta(mapping.w_avg_beta) {
  const int64_t embed_features =
      c_dim == 0 ? 0 : (mapping.embed_features < 0 ? w_dim : mapping.embed_features);
  const int64_t layer_features = mapping.layer_features < 0 ? w_dim : mapping.layer_features;
  std::vector<int64_t> features = {z_dim + embed_features};
  for (int i = 0; i < mapping.num_layers - 1; ++i) features.push_back(layer_features);
  features.push_back(w_dim);
  if (c_dim > 0)
    embed = register_module(
        "embed", FullyConnectedLayer(c_dim, embed_features, true, ops::Activation::Linear, 1.0, 0.0));
  for (int i = 0; i < mapping.num_layers; ++i) {
    fc.push_back(
        register_module("fc" + std::to_string(i),
                        FullyConnectedLayer(features[i], features[i + 1], true,
                                            activation_of(mapping.activation), mapping.lr_multiplier, 0.0)));
  }
  if (num_ws == 0) w_avg_beta.reset();  // official: no w_avg buffer without broadcasting
  if (w_avg_beta) w_avg = register_buffer("w_avg", torch::zeros({w_dim}));
}

torch::Tensor MappingNetworkImpl::forward(const torch::Tensor& z, const torch::Tensor& c, double psi,
                                          std::optional<int> cutoff) {
  profile::Scope scope("mapping");
  torch::Tensor x;
  if (z_dim > 0) x = ops::normalize_2nd_moment(z.to(torch::kFloat32));
  if (c_dim > 0) {
    if (!c.defined()) throw InputError("this model is conditional: a class label is required (--class)");
    auto y = ops::normalize_2nd_moment(embed->forward(c.to(torch::kFloat32)));
    x = x.defined() ? torch::cat({x, y}, 1) : y;
  }
  for (auto& layer : fc) x = layer->forward(x);
  if (is_training() && w_avg_beta) {
    torch::NoGradGuard guard;
    w_avg.copy_(x.detach().mean(0).lerp(w_avg, *w_avg_beta));
  }
  if (num_ws == 0) {
    TORCH_CHECK(psi == 1.0, "truncation needs w_avg, which a mapping without num_ws does not track");
    return x;
  }
  x = x.unsqueeze(1).repeat({1, num_ws, 1});
  if (psi != 1.0) x = truncate_ws(x, w_avg, psi, cutoff);
  return x;
}

torch::Tensor truncate_ws(const torch::Tensor& ws, const torch::Tensor& w_avg, double psi,
                          std::optional<int> cutoff) {
  if (psi == 1.0) return ws;
  const int64_t layers = cutoff ? std::clamp<int64_t>(*cutoff, 0, ws.size(1)) : ws.size(1);
  auto out = ws.clone();
  if (layers > 0) {
    auto head = out.slice(1, 0, layers);
    head.copy_(torch::lerp(w_avg.to(ws.dtype()).expand_as(head), head, psi));
  }
  return out;
}

}  // namespace stylescope
