#include "core/model/discriminator.h"

#include <cmath>

#include "core/io/errors.h"
#include "core/model/generator.h"
#include "core/model/model_file.h"

namespace stylescope {

namespace {

ops::Activation activation_of(const std::string& name) {
  if (name == "lrelu") return ops::Activation::Lrelu;
  if (name == "relu") return ops::Activation::Relu;
  return ops::Activation::Linear;
}

bool in_layer(const std::string& tensor_name, const std::set<std::string>& layers) {
  const auto dot = tensor_name.rfind('.');
  return dot != std::string::npos && layers.count(tensor_name.substr(0, dot)) > 0;
}

}  // namespace

torch::Tensor minibatch_stddev(const torch::Tensor& x, int group_size, int num_channels) {
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  const int64_t g = group_size > 0 ? std::min<int64_t>(group_size, n) : n;
  if (g < 1 || n % g != 0)
    throw InputError("minibatch standard deviation: the batch of " + std::to_string(n) +
                     " is not divisible by the group size " + std::to_string(g));
  const int64_t f = num_channels;
  // [G, n, F, c, H, W]: sample i = group_member * n + group, so groups are strided.
  auto y = x.reshape({g, -1, f, c / f, h, w});
  y = y - y.mean(0);
  y = y.square().mean(0);
  y = (y + 1e-8).sqrt();
  y = y.mean({2, 3, 4});
  y = y.reshape({-1, f, 1, 1}).repeat({g, 1, h, w});
  return torch::cat({x, y}, 1);
}

DiscriminatorBlockImpl::DiscriminatorBlockImpl(int64_t in, int64_t tmp, int64_t out, int64_t res,
                                               const DiscriminatorConfig& cfg)
    : in_channels(in), resolution(res), architecture(cfg.architecture) {
  const auto act = activation_of(cfg.block_activation);
  resample_filter = register_buffer("resample_filter", ops::setup_filter());
  if (in == 0 || architecture == Architecture::Skip)
    fromrgb =
        register_module("fromrgb", Conv2dLayer(cfg.img_channels, tmp, 1, true, act, 1, 1, cfg.conv_clamp));
  conv0 = register_module("conv0", Conv2dLayer(tmp, tmp, 3, true, act, 1, 1, cfg.conv_clamp));
  conv1 = register_module("conv1", Conv2dLayer(tmp, out, 3, true, act, 1, 2, cfg.conv_clamp));
  if (architecture == Architecture::Resnet)
    skip =
        register_module("skip", Conv2dLayer(tmp, out, 1, false, ops::Activation::Linear, 1, 2, std::nullopt));
}

std::vector<std::string> DiscriminatorBlockImpl::layer_names() const {
  std::vector<std::string> names;
  if (fromrgb) names.push_back("fromrgb");
  names.push_back("conv0");
  names.push_back("conv1");
  if (skip) names.push_back("skip");
  return names;
}

std::pair<torch::Tensor, torch::Tensor> DiscriminatorBlockImpl::forward(torch::Tensor x, torch::Tensor img) {
  if (fromrgb) {
    auto y = fromrgb->forward(img);
    x = x.defined() ? x + y : y;
    img = architecture == Architecture::Skip ? ops::downsample2d(img, resample_filter) : torch::Tensor();
  }
  if (architecture == Architecture::Resnet) {
    const double gain = std::sqrt(0.5);
    auto y = skip->forward(x, gain);
    x = conv1->forward(conv0->forward(x), gain);
    return {y + x, img};
  }
  return {conv1->forward(conv0->forward(x)), img};
}

DiscriminatorEpilogueImpl::DiscriminatorEpilogueImpl(int64_t in, int64_t cmap, const DiscriminatorConfig& cfg)
    : cmap_dim(cmap),
      mbstd_group_size(cfg.mbstd_group_size),
      mbstd_num_channels(cfg.mbstd_num_channels),
      architecture(cfg.architecture) {
  const auto act = activation_of(cfg.epilogue_activation);
  // The epilogue's fromrgb is built without conv_clamp in the official code (spec §2.4).
  if (architecture == Architecture::Skip)
    fromrgb = register_module("fromrgb", Conv2dLayer(cfg.img_channels, in, 1, true, act, 1, 1, std::nullopt));
  conv =
      register_module("conv", Conv2dLayer(in + mbstd_num_channels, in, 3, true, act, 1, 1, cfg.conv_clamp));
  fc = register_module("fc", FullyConnectedLayer(in * 4 * 4, in, true, act, 1.0, 0.0));
  out = register_module(
      "out", FullyConnectedLayer(in, cmap == 0 ? 1 : cmap, true, ops::Activation::Linear, 1.0, 0.0));
}

torch::Tensor DiscriminatorEpilogueImpl::forward(torch::Tensor x, const torch::Tensor& img,
                                                 const torch::Tensor& cmap) {
  if (fromrgb) x = x + fromrgb->forward(img);
  if (mbstd_num_channels > 0) x = minibatch_stddev(x, mbstd_group_size, mbstd_num_channels);
  x = conv->forward(x);
  x = out->forward(fc->forward(x.flatten(1)));
  if (cmap_dim > 0)
    x = (x * cmap).sum(1, /*keepdim=*/true) * (1.0 / std::sqrt(static_cast<double>(cmap_dim)));
  return x;
}

DiscriminatorImpl::DiscriminatorImpl(const DiscriminatorConfig& cfg) : config(cfg) {
  config.validate("");
  int layer_index = 0;  // Freeze-D's running count over the blocks, highest resolution first
  for (int res : config.block_resolutions()) {
    const int64_t in = res < config.img_resolution ? config.channels(res) : 0;
    const std::string name = "b" + std::to_string(res);
    blocks.push_back(register_module(
        name, DiscriminatorBlock(in, config.channels(res), config.channels(res / 2), res, config)));
    for (const auto& layer : blocks.back()->layer_names())
      if (layer_index++ < config.freeze_layers) frozen_layers.insert(name + "." + layer);
  }
  const int cmap_dim = config.effective_cmap_dim();
  if (config.c_dim > 0) {
    MappingConfig m;
    m.num_layers = config.mapping_layers;
    m.embed_features = config.mapping_embed_features.value_or(-1);
    m.layer_features = config.mapping_layer_features.value_or(-1);
    m.activation = config.mapping_activation;
    m.lr_multiplier = config.mapping_lr_multiplier;
    m.w_avg_beta = std::nullopt;
    mapping = register_module("mapping", MappingNetwork(0, config.c_dim, cmap_dim, 0, m));
  }
  b4 = register_module("b4", DiscriminatorEpilogue(config.channels(4), cmap_dim, config));
  // The official code stores a frozen layer's tensors as buffers; here they stay parameters (same names)
  // that do not require grad, and trainable_parameters() leaves them out.
  for (auto& item : named_parameters(true))
    if (in_layer(item.key(), frozen_layers)) item.value().set_requires_grad(false);
}

torch::Tensor DiscriminatorImpl::forward(const torch::Tensor& img_in, const torch::Tensor& c) {
  const int64_t r = config.img_resolution;
  if (img_in.dim() != 4 || img_in.size(1) != config.img_channels || img_in.size(2) != r ||
      img_in.size(3) != r)
    throw InputError("discriminator: expected images [N, " + std::to_string(config.img_channels) + ", " +
                     std::to_string(r) + ", " + std::to_string(r) + "], got " +
                     shape_string(img_in.sizes().vec()));
  torch::Tensor x, img = img_in.to(torch::kFloat32);
  for (auto& block : blocks) std::tie(x, img) = block->forward(x, img);
  torch::Tensor cmap;
  if (config.c_dim > 0) {
    if (!c.defined() || c.dim() != 2 || c.size(0) != img_in.size(0) || c.size(1) != config.c_dim)
      throw InputError("discriminator: this model is conditional: expected labels [" +
                       std::to_string(img_in.size(0)) + ", " + std::to_string(config.c_dim) + "]");
    cmap = mapping->forward(torch::Tensor(), c);
  }
  return b4->forward(x, img, cmap);
}

Discriminator build_discriminator(const DiscriminatorConfig& config,
                                  const std::map<std::string, RawTensor>& tensors, const std::string& file) {
  config.validate(file);
  torch::NoGradGuard no_grad;
  Discriminator d(config);
  std::set<std::string> used;
  for (auto& [name, target] : state_dict(*d)) {
    auto it = tensors.find(name);
    if (it == tensors.end())
      throw InputError(file, "missing tensor D." + name + " " + shape_string(target.sizes().vec()));
    const RawTensor& raw = it->second;
    if (raw.shape != target.sizes().vec())
      throw InputError(file, "tensor D." + name + " has shape " + shape_string(raw.shape) + ", expected " +
                                 shape_string(target.sizes().vec()));
    if (!raw.in_bounds()) throw InputError(file, "tensor D." + name + " lies outside its storage");
    target.copy_(to_torch(raw));
    used.insert(name);
  }
  for (auto& [name, raw] : tensors)
    if (!used.count(name))
      throw InputError(file, "unexpected tensor D." + name + " " + shape_string(raw.shape) + " for a " +
                                 architecture_name(config.architecture) + " discriminator at " +
                                 std::to_string(config.img_resolution) + "x" +
                                 std::to_string(config.img_resolution));
  return d;
}

std::vector<std::pair<std::string, torch::Tensor>> trainable_parameters(Discriminator& d) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (auto& item : d->named_parameters(true))
    if (!in_layer(item.key(), d->frozen_layers)) out.emplace_back(item.key(), item.value());
  return out;
}

}  // namespace stylescope
