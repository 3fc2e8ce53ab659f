#include "core/model/ops.h"

#include <cmath>

namespace stylescope::ops {

torch::Tensor setup_filter(const torch::TensorOptions& options) {
  auto f1 = torch::tensor({1.0f, 3.0f, 3.0f, 1.0f}, torch::kFloat32);
  auto f = torch::outer(f1, f1);
  f = f / f.sum();
  return f.to(options);
}

torch::Tensor upfirdn2d(const torch::Tensor& x_in, const torch::Tensor& f_in, int up, int down, int px0,
                        int px1, int py0, int py1, double gain, bool flip_filter) {
  TORCH_CHECK(x_in.dim() == 4, "upfirdn2d expects NCHW");
  const int64_t n = x_in.size(0), c = x_in.size(1), h = x_in.size(2), w = x_in.size(3);
  torch::Tensor x = x_in;
  if (up > 1) {
    x = x.reshape({n, c, h, 1, w, 1});
    x = torch::constant_pad_nd(x, {0, up - 1, 0, 0, 0, up - 1});
    x = x.reshape({n, c, h * up, w * up});
  }
  x = torch::constant_pad_nd(x, {std::max(px0, 0), std::max(px1, 0), std::max(py0, 0), std::max(py1, 0)});
  x = x.slice(2, std::max(-py0, 0), x.size(2) - std::max(-py1, 0))
          .slice(3, std::max(-px0, 0), x.size(3) - std::max(-px1, 0));
  torch::Tensor f = (f_in * gain).to(x.dtype());
  if (!flip_filter) f = f.flip({0, 1});
  f = f.reshape({1, 1, f.size(0), f.size(1)}).repeat({c, 1, 1, 1});
  x = conv2d(x, f, 1, 0, c);
  if (down > 1) x = x.slice(2, 0, {}, down).slice(3, 0, {}, down);  // {}: no end
  return x;
}

torch::Tensor upsample2d(const torch::Tensor& x, const torch::Tensor& f) {
  if (kernels::usable(x) && x.is_contiguous() && is_default_filter(f)) return kernels::upsample2d_nchw(x);
  return upfirdn2d(x, f, 2, 1, 2, 1, 2, 1, 4.0);
}

torch::Tensor downsample2d(const torch::Tensor& x, const torch::Tensor& f) {
  return upfirdn2d(x, f, 1, 2, 1, 1, 1, 1, 1.0);
}

double default_gain(Activation act) {
  switch (act) {
    case Activation::Linear:
      return 1.0;
    case Activation::Lrelu:
    case Activation::Relu:
      return std::sqrt(2.0);
  }
  return 1.0;
}

torch::Tensor bias_act(torch::Tensor x, const std::optional<torch::Tensor>& bias, Activation act, double gain,
                       std::optional<double> clamp) {
  const bool inplace = !torch::GradMode::is_enabled() || !x.requires_grad();
  if (bias) {
    std::vector<int64_t> shape(x.dim(), 1);
    shape[1] = -1;
    auto b = bias->to(x.dtype()).reshape(shape);
    x = inplace ? x.add_(b) : x + b;
  }
  if (act == Activation::Lrelu) {
    x = inplace ? torch::leaky_relu_(x, 0.2) : torch::leaky_relu(x, 0.2);
  } else if (act == Activation::Relu) {
    x = inplace ? torch::relu_(x) : torch::relu(x);
  }
  if (gain != 1.0) x = inplace ? x.mul_(gain) : x * gain;
  if (clamp && *clamp >= 0) x = inplace ? x.clamp_(-*clamp, *clamp) : x.clamp(-*clamp, *clamp);
  return x;
}

torch::Tensor conv2d(const torch::Tensor& x, const torch::Tensor& w, int64_t stride, int64_t padding,
                     int64_t groups) {
  return conv2d(x, w, stride, padding, padding, groups);
}

torch::Tensor conv2d(const torch::Tensor& x, const torch::Tensor& w, int64_t stride, int64_t pad_y,
                     int64_t pad_x, int64_t groups) {
  const int64_t st[2] = {stride, stride}, pad[2] = {pad_y, pad_x}, dil[2] = {1, 1};
  static const bool mkldnn = at::hasMKLDNN();
  if (mkldnn && at::globalContext().userEnabledMkldnn() && kernels::usable(x) && w.dim() == 4 &&
      w.scalar_type() == torch::kFloat32 && w.device().is_cpu() &&
      !(torch::GradMode::is_enabled() && w.requires_grad()))
    return at::mkldnn_convolution(x, w, /*bias=*/{}, pad, st, dil, groups);
  return torch::conv2d(x, w, torch::Tensor(), st, pad, dil, groups);
}

bool is_default_filter(const torch::Tensor& f) {
  if (f.dim() != 2 || f.size(0) != 4 || f.size(1) != 4) return false;
  static const torch::Tensor expected = setup_filter(torch::kFloat64);
  return f.detach().to(torch::kCPU, torch::kFloat64).allclose(expected, 0.0, 1e-7);
}

torch::Tensor normalize_2nd_moment(const torch::Tensor& x, double eps) {
  return x * (x.square().mean(1, /*keepdim=*/true) + eps).rsqrt();
}

torch::Tensor conv3x3_up2_reference(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& f,
                                    int64_t groups) {
  // Weight layout of the official transposed path (spec §1.5 step 1).
  torch::Tensor wt;
  if (groups == 1) {
    wt = w.transpose(0, 1);
  } else {
    const int64_t o = w.size(0), i = w.size(1);
    wt = w.reshape({groups, o / groups, i, 3, 3}).transpose(1, 2).reshape({groups * i, o / groups, 3, 3});
  }
  auto y = torch::conv_transpose2d(x, wt, {}, 2, 0, 0, groups);
  return upfirdn2d(y, f, 1, 1, 1, 1, 1, 1, 4.0);
}

namespace {

// M[ph][j][k]: weight of 3x3 tap k in output phase ph's tap j, after the FIR (1-D factor of [1,3,3,1]/8
// with gain 2 per axis). Derivation: out[2a+ph] = sum_j x[a+j-1] * sum_t g[t] w[ph-1+t-2(j-1)].
torch::Tensor phase_matrix(const torch::TensorOptions& options) {
  const double g[4] = {0.25, 0.75, 0.75, 0.25};
  auto m = torch::zeros({2, 3, 3}, torch::kFloat64);
  auto acc = m.accessor<double, 3>();
  for (int ph = 0; ph < 2; ++ph)
    for (int j = 0; j < 3; ++j)
      for (int t = 0; t < 4; ++t) {
        const int k = ph - 1 + t - 2 * (j - 1);
        if (k >= 0 && k < 3) acc[ph][j][k] += g[t];
      }
  return m.to(options);
}

}  // namespace

torch::Tensor fold_up2_weight(const torch::Tensor& w) {
  const int64_t o = w.size(0), i = w.size(1);
  auto m = phase_matrix(w.options());
  // K[o,p,q,i,a,b] = sum_{k,l} M[p,a,k] M[q,b,l] W[o,i,k,l]
  auto k = torch::einsum("pak,qbl,oikl->opqiab", {m, m, w});
  return k.reshape({o * 4, i, 3, 3});
}

torch::Tensor conv3x3_up2_folded(const torch::Tensor& x, const torch::Tensor& folded, int64_t groups) {
  auto y = conv2d(x, folded, 1, 1, groups);
  return torch::pixel_shuffle(y, 2);
}

}  // namespace stylescope::ops

namespace stylescope::ops {

Up2Phases split_up2_weight(const torch::Tensor& w) {
  // z[2a+ky] += w[ky] x[a] (spec §1.5: the weight is not flipped), so z[2a] = w[0] x[a] + w[2] x[a-1]
  // (taps {2, 0} against x padded by one) and z[2a+1] = w[1] x[a].
  const auto even = torch::tensor({2, 0}, torch::TensorOptions().dtype(torch::kLong).device(w.device()));
  const auto cl = torch::MemoryFormat::ChannelsLast;
  auto rows_even = w.index_select(2, even), rows_odd = w.slice(2, 1, 2);
  Up2Phases p;
  p.ee = rows_even.index_select(3, even).contiguous(cl);
  p.eo = rows_even.slice(3, 1, 2).contiguous(cl);
  p.oe = rows_odd.index_select(3, even).contiguous(cl);
  p.oo = rows_odd.slice(3, 1, 2).contiguous(cl);
  return p;
}

torch::Tensor conv3x3_up2_phases(const torch::Tensor& x_in, const Up2Phases& p, int64_t groups,
                                 const kernels::Epilogue* epilogue) {
  const auto x = x_in.contiguous(torch::MemoryFormat::ChannelsLast);
  auto ee = conv2d(x, p.ee, 1, 1, 1, groups);
  auto eo = conv2d(x, p.eo, 1, 1, 0, groups);
  auto oe = conv2d(x, p.oe, 1, 0, 1, groups);
  auto oo = conv2d(x, p.oo, 1, 0, 0, groups);
  const auto cl = torch::MemoryFormat::ChannelsLast;
  return kernels::fir_up2_phases(ee.contiguous(cl), eo.contiguous(cl), oe.contiguous(cl), oo.contiguous(cl),
                                 epilogue);
}

}  // namespace stylescope::ops
