#include "core/render/seeded_generator.h"

#include <mutex>

namespace stylescope {

at::Generator seeded_generator(torch::Device device, uint64_t seed) {
  at::Generator global = at::globalContext().defaultGenerator(device);
  std::lock_guard<std::mutex> lock(global.mutex());
  at::Generator own = global.clone();
  own.set_current_seed(seed);
  return own;
}

}  // namespace stylescope
