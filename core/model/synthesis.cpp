#include "core/model/synthesis.h"

#include <cmath>

#include "core/io/errors.h"
#include "core/model/cpu_allocator.h"
#include "core/model/init_random.h"
#include "core/model/profile.h"

namespace stylescope {

SynthesisBlockImpl::SynthesisBlockImpl(int64_t in_ch, int64_t out_ch, const GeneratorConfig& cfg, int64_t res,
                                       bool last, bool fp16)
    : in_channels(in_ch), resolution(res), architecture(cfg.architecture), is_last(last), use_fp16(fp16) {
  if (in_channels == 0) const_ = register_parameter("const", init_randn({out_ch, res, res}));
  resample_filter = register_buffer("resample_filter", ops::setup_filter());
  if (in_channels != 0) {
    conv0 = register_module("conv0",
                            SynthesisLayer(in_ch, out_ch, cfg.w_dim, res, 2, cfg.use_noise, cfg.conv_clamp));
    ++num_conv;
  }
  conv1 = register_module("conv1",
                          SynthesisLayer(out_ch, out_ch, cfg.w_dim, res, 1, cfg.use_noise, cfg.conv_clamp));
  ++num_conv;
  if (is_last || architecture == Architecture::Skip) {
    torgb = register_module("torgb", ToRGBLayer(out_ch, cfg.img_channels, cfg.w_dim, cfg.conv_clamp));
    ++num_torgb;
  }
  if (in_channels != 0 && architecture == Architecture::Resnet)
    skip = register_module("skip",
                           Conv2dLayer(in_ch, out_ch, 1, false, ops::Activation::Linear, 2, 1, std::nullopt));
}

std::pair<torch::Tensor, torch::Tensor> SynthesisBlockImpl::forward(torch::Tensor x, torch::Tensor img,
                                                                    const torch::Tensor& ws,
                                                                    const ForwardOptions& opt) {
  const auto dtype = (use_fp16 && opt.fp16 && ws.is_cuda()) ? torch::kHalf : torch::kFloat32;
  int w_index = 0;
  auto next_w = [&]() { return ws.select(1, w_index++); };
  const std::string prefix = "b" + std::to_string(resolution) + ".";
  auto observe = [&](const char* name, const torch::Tensor& t) {
    if (opt.observe) opt.observe(prefix + name, t);
  };
  if (in_channels == 0) {
    x = const_.to(dtype).unsqueeze(0).repeat({ws.size(0), 1, 1, 1});
  } else {
    x = x.to(dtype);
  }
  if (in_channels == 0) {
    x = conv1->forward(x, next_w(), opt);
    observe("conv1", x);
  } else if (architecture == Architecture::Resnet) {
    auto y = skip->forward(x, std::sqrt(0.5));
    x = conv0->forward(x, next_w(), opt);
    observe("conv0", x);
    x = conv1->forward(x, next_w(), opt, std::sqrt(0.5));
    observe("conv1", x);
    x = y.add_(x);
    observe("skip_sum", x);
  } else {
    x = conv0->forward(x, next_w(), opt);
    observe("conv0", x);
    x = conv1->forward(x, next_w(), opt);
    observe("conv1", x);
  }
  if (img.defined()) {
    profile::Scope scope("img_upsample");
    img = ops::upsample2d(img, resample_filter);
  }
  if (torgb) {
    auto y = torgb->forward(x, next_w(), opt).to(torch::kFloat32);
    observe("torgb", y);
    img = img.defined() ? img.add_(y) : y;
    observe("img", img);
  }
  return {x, img};
}

SynthesisNetworkImpl::SynthesisNetworkImpl(const GeneratorConfig& cfg) : num_ws(0), w_dim(cfg.w_dim) {
  const int fp16_resolution = cfg.fp16_resolution();
  for (int res : cfg.block_resolutions()) {
    const int64_t in_ch = res > 4 ? cfg.channels(res / 2) : 0;
    const bool last = res == cfg.img_resolution;
    auto block = register_module("b" + std::to_string(res), SynthesisBlock(in_ch, cfg.channels(res), cfg, res,
                                                                           last, res >= fp16_resolution));
    num_ws += block->num_conv + (last ? block->num_torgb : 0);
    blocks.push_back(block);
  }
}

torch::Tensor SynthesisNetworkImpl::forward(const torch::Tensor& ws_in, const ForwardOptions& opt) {
  if (ws_in.dim() != 3 || ws_in.size(1) != num_ws || ws_in.size(2) != w_dim)
    throw InputError("synthesis expects ws of shape [N, " + std::to_string(num_ws) + ", " +
                     std::to_string(w_dim) + "]");
  // Large activations would otherwise be page-faulted in afresh on every pass (see cpu_allocator.h).
  if (ws_in.device().is_cpu()) use_caching_cpu_allocator();
  auto ws = ws_in.to(torch::kFloat32);
  torch::Tensor x, img;
  int64_t w_index = 0;
  for (auto& block : blocks) {
    auto block_ws = ws.narrow(1, w_index, block->num_conv + block->num_torgb);
    w_index += block->num_conv;
    std::tie(x, img) = block->forward(x, img, block_ws, opt);
  }
  return img;
}

}  // namespace stylescope
