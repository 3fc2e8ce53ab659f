#pragma once
// A random generator of a caller's own on `device`, seeded as torch::manual_seed(seed) seeds the device's
// default one (so it draws the same numbers the official scripts draw after torch.manual_seed), without
// touching the default generator other threads draw from.
#include <cstdint>

#include <torch/torch.h>

namespace stylescope {

at::Generator seeded_generator(torch::Device device, uint64_t seed);

}  // namespace stylescope
