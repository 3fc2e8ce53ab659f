#pragma once
// The numerical building blocks of the official networks (spec §1.2-1.6), in LibTorch.
#include <optional>

#include <torch/torch.h>

#include "core/model/cpu_kernels.h"

namespace stylescope::ops {

// The [1,3,3,1] FIR as the official setup makes it: outer product, normalized to sum 1, [4,4].
torch::Tensor setup_filter(const torch::TensorOptions& options = torch::kFloat32);

// Reference upfirdn2d (spec §1.4): zero-insert by `up`, pad (x0,x1,y0,y1) (negative crops), true
// convolution with f*gain, keep every `down`-th sample.
torch::Tensor upfirdn2d(const torch::Tensor& x, const torch::Tensor& f, int up, int down, int px0, int px1,
                        int py0, int py1, double gain, bool flip_filter = false);
// upsample2d(x, f, up=2): pad (2,1), gain 4.
torch::Tensor upsample2d(const torch::Tensor& x, const torch::Tensor& f);
// downsample2d(x, f, down=2): pad (1,1), gain 1.
torch::Tensor downsample2d(const torch::Tensor& x, const torch::Tensor& f);

// bias -> activation -> gain -> clamp (spec §1.2). In place on x when x does not require grad.
enum class Activation { Linear, Lrelu, Relu };
double default_gain(Activation act);
torch::Tensor bias_act(torch::Tensor x, const std::optional<torch::Tensor>& bias, Activation act, double gain,
                       std::optional<double> clamp);

// Plain cross-correlation (torch conv2d) with integer stride/padding; avoids the string-padding overload.
// Inference on CPU fp32 goes straight to oneDNN: ATen's own heuristic sends batch-1 inputs under 20480
// elements (the 4x4 and 8x8 layers) to an im2col + reference-BLAS path that is ~20x slower.
torch::Tensor conv2d(const torch::Tensor& x, const torch::Tensor& w, int64_t stride = 1, int64_t padding = 0,
                     int64_t groups = 1);
torch::Tensor conv2d(const torch::Tensor& x, const torch::Tensor& w, int64_t stride, int64_t pad_y,
                     int64_t pad_x, int64_t groups);

// True if f is the [1,3,3,1] filter of setup_filter(): the fast paths below have it built in.
bool is_default_filter(const torch::Tensor& f);

torch::Tensor normalize_2nd_moment(const torch::Tensor& x, double eps = 1e-8);

// 3x3 convolution of x with w [O,I,3,3] followed by the official 2x up-sampling (transposed conv
// stride 2 + FIR [1,3,3,1] x4, spec §1.5), H -> 2H. `groups` as conv2d.
// The reference form runs conv_transpose2d exactly as the official code does.
torch::Tensor conv3x3_up2_reference(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& f,
                                    int64_t groups = 1);
// The same map computed as one ordinary convolution with the four output phases' 3x3 kernels (the FIR
// folded in) followed by pixel_shuffle: the sub-pixel decomposition. Much faster where ATen's
// transposed convolution is slow. `folded` comes from fold_up2_weight(w).
torch::Tensor conv3x3_up2_folded(const torch::Tensor& x, const torch::Tensor& folded, int64_t groups = 1);
// [O,I,3,3] -> [4*O, I, 3, 3]: row o*4 + phy*2 + phx is the kernel of output phase (phy, phx).
torch::Tensor fold_up2_weight(const torch::Tensor& w);

// The exact sub-pixel form of the transposed convolution: its output z (2H+1 per axis) split by parity
// into four ordinary convolutions of x with 2x2, 2x1, 1x2 and 1x1 slices of w (9 taps in all, the MACs of
// the transposed convolution, a quarter of the folded form), followed by the FIR evaluated on the phases
// (kernels::fir_up2_phases). Inference on CPU fp32 only (see kernels::usable); channels-last throughout.
struct Up2Phases {
  torch::Tensor ee, eo, oe, oo;  // [O, I, 2, 2], [O, I, 2, 1], [O, I, 1, 2], [O, I, 1, 1], channels-last
};
Up2Phases split_up2_weight(const torch::Tensor& w);
torch::Tensor conv3x3_up2_phases(const torch::Tensor& x, const Up2Phases& phases, int64_t groups = 1,
                                 const kernels::Epilogue* epilogue = nullptr);

}  // namespace stylescope::ops
