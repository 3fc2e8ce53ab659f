#include "core/explore/layer_view.h"

#include <algorithm>
#include <cmath>

namespace stylescope {

namespace {

LayerImage to_image(const torch::Tensor& chw_uint8) {
  auto hwc = chw_uint8.permute({1, 2, 0}).contiguous().to(torch::kCPU);
  LayerImage out;
  out.height = static_cast<int>(hwc.size(0));
  out.width = static_cast<int>(hwc.size(1));
  out.channels = static_cast<int>(hwc.size(2));
  out.pixels.assign(hwc.data_ptr<uint8_t>(), hwc.data_ptr<uint8_t>() + hwc.numel());
  return out;
}

// Power spectrum of every channel summed, centred, in dB relative to its mean, mapped to [0, 255] over
// +-range_db (the visualizer's FFT view).
torch::Tensor spectrum(const torch::Tensor& x, const LayerViewOptions& o) {
  auto sig = x - x.mean({1, 2}, true);
  auto opts = torch::TensorOptions().dtype(torch::kFloat32).device(x.device());
  sig = sig * torch::kaiser_window(x.size(1), false, o.fft_beta, opts).view({1, -1, 1});
  sig = sig * torch::kaiser_window(x.size(2), false, o.fft_beta, opts).view({1, 1, -1});
  auto power = torch::fft::fftn(sig, /*s=*/{}, std::vector<int64_t>{1, 2}).abs().square().sum(0);
  power = power.roll({power.size(0) / 2, power.size(1) / 2}, {0, 1});
  auto db = (power / power.mean().clamp_min(1e-30)).clamp_min(1e-30).log10() * 10;
  auto unit = (db / o.fft_range_db + 1) / 2;
  return (unit * 255).clamp(0, 255).to(torch::kUInt8).unsqueeze(0);
}

}  // namespace

LayerImage layer_image(const torch::Tensor& activations, const LayerViewOptions& o) {
  torch::NoGradGuard no_grad;
  auto x = activations.to(torch::kFloat32);
  if (o.fft) return to_image(spectrum(x, o));
  const int64_t c = x.size(0);
  int64_t count = o.rgb ? 3 : 1;
  if (count > c) count = 1;
  const int64_t base = std::max<int64_t>(0, std::min<int64_t>(o.channel, c - count));
  auto img = x.narrow(0, base, count);
  if (o.normalize) img = img / img.abs().amax({1, 2}, true).clamp(1e-8, 1e8);
  img = img * std::pow(10.0, o.brightness_db / 20);
  return to_image((img * 127.5 + 128).clamp(0, 255).to(torch::kUInt8));
}

}  // namespace stylescope
