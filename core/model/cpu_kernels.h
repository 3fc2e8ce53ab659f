#pragma once
// Hand-written CPU loops for the memory-bound steps of inference, where chains of ATen element-wise ops
// would each read and write the whole activation tensor once. fp32 only, no autograd: callers check
// usable() and otherwise take the ATen path (which is also the training path).
#include <torch/torch.h>

namespace stylescope::kernels {

// True for a CPU float32 tensor in contiguous NCHW or channels-last layout that needs no gradient.
bool usable(const torch::Tensor& x);

// What follows a modulated convolution in a SynthesisLayer (spec §1.6 step 5, §1.2), applied per element:
// v = v * demod[n,c] + noise[n,y,x] + bias[c]; v = lrelu(v) (slope 0.2) if lrelu; v *= gain;
// v = clamp(v, -clamp, clamp) if clamp >= 0. Undefined tensors are skipped.
struct Epilogue {
  torch::Tensor demod;  // [N, C]
  torch::Tensor noise;  // broadcastable to [N, 1, H, W]: [H, W] or [N, 1, H, W]
  torch::Tensor bias;   // [C]
  bool lrelu = true;
  double gain = 1.0;
  double clamp = -1.0;
};

// Applies `e` to x in place (x must be usable()).
void apply_epilogue_(torch::Tensor& x, const Epilogue& e);

// The official up-sampling convolution's tail, given the four output phases of the stride-2 transposed
// 3x3 convolution z (size 2H+1): ee = z[even, even] [N,C,H+1,W+1], eo = z[even, odd] [N,C,H+1,W],
// oe = z[odd, even] [N,C,H,W+1], oo = z[odd, odd] [N,C,H,W], all channels-last. Returns
// upfirdn2d(z, [1,3,3,1], pad 1, gain 4) [N,C,2H,2W] channels-last, with `e` applied if given, without
// ever interleaving z in memory.
torch::Tensor fir_up2_phases(const torch::Tensor& ee, const torch::Tensor& eo, const torch::Tensor& oe,
                             const torch::Tensor& oo, const Epilogue* e);

// upsample2d(x, [1,3,3,1]) (pad (2,1), gain 4) for a usable() NCHW x: the image skip path. Each output
// sample is 0.25/0.75 of two inputs per axis, so this is two short passes instead of a depthwise conv.
torch::Tensor upsample2d_nchw(const torch::Tensor& x);

}  // namespace stylescope::kernels
