#pragma once
// What a finished projection leaves on disk, as projector.py writes it (the `project` command and the GUI's
// Projection panel): target.png, proj.png (the projected ws under the model's own constant noise) and
// projected_w.npz (key "w", [1, num_ws, w_dim] float32).
#include <cstdint>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/io/image.h"
#include "core/model/generator.h"

namespace stylescope {

// The image of ws [1, num_ws, w_dim] under the generator's constant noise, 8-bit HWC in its channels.
std::vector<uint8_t> render_ws_uint8(Generator& G, const torch::Tensor& ws);

// Writes the three files into `dir` (created); returns the w file's path. A build without zip support
// writes projected_w.npy instead (and says so on stderr).
std::string write_projection_outputs(const std::string& dir, const Image8& target, Generator& G,
                                     const torch::Tensor& ws);

// Whether `dir` already holds a projection's w file (either kind write_projection_outputs writes).
bool holds_projection(const std::string& dir);

}  // namespace stylescope
