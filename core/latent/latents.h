#pragma once
// From seeds and files to the per-layer ws the synthesis network takes (DESIGN.md Numerics): numpy-exact
// seeds, class labels, truncation, style mixing as the official scripts do them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace stylescope {

// z for seed s: np.random.RandomState(s).randn(1, z_dim), float64 [1, z_dim].
torch::Tensor seed_z(uint32_t seed, int z_dim);
// One-hot [1, c_dim] for class index `class_idx` (undefined tensor when c_dim == 0). Throws InputError
// when a conditional model gets no class or the index is out of range.
torch::Tensor class_label(int c_dim, std::optional<int> class_idx);

// style_mixing.py: ws of `row` with the layers in `styles` taken from `col` (both [num_ws, w_dim] or
// [N, num_ws, w_dim]). Throws InputError for a layer index outside [0, num_ws).
torch::Tensor mix_styles(const torch::Tensor& row, const torch::Tensor& col, const std::vector<int>& styles);

// Parses a layer list such as "0-6" or "0,2,4-5" and checks it against num_ws.
std::vector<int> parse_layers(const std::string& text, int num_ws, const std::string& flag = "--styles");

// Reads ws from .npy or .npz (key 'w'): [w_dim] (every layer), [num_ws, w_dim] or [K, num_ws, w_dim].
// Returns [K, num_ws, w_dim] float32. Anything else: InputError naming the file and the shape.
torch::Tensor load_ws_file(const std::string& path, int num_ws, int w_dim);

}  // namespace stylescope
