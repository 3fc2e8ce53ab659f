#pragma once
// The numerical building blocks of the official networks (spec §1.2-1.6), in LibTorch.
#include <optional>

#include <torch/torch.h>

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
torch::Tensor conv2d(const torch::Tensor& x, const torch::Tensor& w, int64_t stride = 1, int64_t padding = 0,
                     int64_t groups = 1);

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

}  // namespace stylescope::ops
