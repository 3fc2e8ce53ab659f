#include "core/latent/numpy_rng.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "core/io/errors.h"

// Bit-exactness with numpy (built without FMA contraction) needs x1*x1 + x2*x2 rounded twice. CMake
// compiles this file with -ffp-contract=off (GCC ignores the STDC pragma); clang also honours the pragma.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

namespace stylescope {

NumpyRandomState::NumpyRandomState(uint32_t seed) {
  // init_genrand (numpy's mt19937_seed), not init_by_array.
  mt_[0] = seed;
  for (uint32_t i = 1; i < 624; ++i) mt_[i] = 1812433253u * (mt_[i - 1] ^ (mt_[i - 1] >> 30)) + i;
  pos_ = 624;
}

NumpyRandomState NumpyRandomState::from_seed(int64_t seed) {
  if (seed < 0 || seed > 0xffffffffLL) {
    throw InputError("seed " + std::to_string(seed) + " is out of range (numpy seeds are 0 to 4294967295)");
  }
  return NumpyRandomState(static_cast<uint32_t>(seed));
}

void NumpyRandomState::regenerate() {
  // In place for increasing i: entries below i already hold their new values when read.
  for (size_t i = 0; i < 624; ++i) {
    const uint32_t y = (mt_[i] & 0x80000000u) | (mt_[(i + 1) % 624] & 0x7fffffffu);
    mt_[i] = mt_[(i + 397) % 624] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
  }
  pos_ = 0;
}

uint32_t NumpyRandomState::next_uint32() {
  if (pos_ == 624) regenerate();
  uint32_t y = mt_[pos_++];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680u;
  y ^= (y << 15) & 0xefc60000u;
  y ^= y >> 18;
  return y;
}

uint64_t NumpyRandomState::next_uint64() {
  const uint64_t high = next_uint32();
  return (high << 32) | next_uint32();
}

double NumpyRandomState::random_sample() {
  const uint32_t a = next_uint32() >> 5;
  const uint32_t b = next_uint32() >> 6;
  return (a * 67108864.0 + b) / 9007199254740992.0;
}

double NumpyRandomState::gauss() {
  if (has_gauss_) {
    has_gauss_ = false;
    return gauss_;
  }
  double x1, x2, r2;
  do {
    x1 = 2.0 * random_sample() - 1.0;
    x2 = 2.0 * random_sample() - 1.0;
    r2 = x1 * x1 + x2 * x2;
  } while (r2 >= 1.0 || r2 == 0.0);
  const double f = std::sqrt(-2.0 * std::log(r2) / r2);
  gauss_ = f * x1;
  has_gauss_ = true;
  return f * x2;  // the x2 product comes first
}

void NumpyRandomState::randn(double* out, size_t count) {
  for (size_t i = 0; i < count; ++i) out[i] = gauss();
}

std::vector<double> NumpyRandomState::randn(size_t count) {
  std::vector<double> out(count);
  randn(out.data(), count);
  return out;
}

uint64_t NumpyRandomState::random_interval(uint64_t max) {
  if (max == 0) return 0;
  uint64_t mask = max;
  for (int shift = 1; shift <= 32; shift *= 2) mask |= mask >> shift;
  uint64_t value;
  if (max <= 0xffffffffu) {
    while ((value = (next_uint32() & mask)) > max) {
    }
  } else {
    while ((value = (next_uint64() & mask)) > max) {
    }
  }
  return value;
}

std::vector<double> seed_to_z(uint32_t seed, int z_dim) {
  if (z_dim < 0) throw std::invalid_argument("seed_to_z: negative z_dim");
  return NumpyRandomState(seed).randn(static_cast<size_t>(z_dim));
}

}  // namespace stylescope
