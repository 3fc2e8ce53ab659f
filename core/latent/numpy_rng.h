#pragma once
// numpy's legacy np.random.RandomState, bit-exact for what the official scripts use (spec §6.1): MT19937
// seeded with init_genrand, 53-bit doubles, the polar Box-Muller gauss with its cached second value, and
// the legacy bounded integers behind RandomState.shuffle. Seed s gives np.random.RandomState(s).
#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace stylescope {

class NumpyRandomState {
 public:
  explicit NumpyRandomState(uint32_t seed);
  // Validates a seed the way numpy does (0 .. 2^32-1); InputError otherwise.
  static NumpyRandomState from_seed(int64_t seed);

  uint32_t next_uint32();
  uint64_t next_uint64();  // two outputs, high word first
  double random_sample();  // np.random.RandomState.random_sample(): [0, 1) with 53 random bits
  double gauss();          // one value of randn()
  std::vector<double> randn(size_t count);  // randn(*shape) in C order, count = product of the shape
  void randn(double* out, size_t count);
  uint64_t random_interval(uint64_t max);  // uniform in [0, max], numpy's masked rejection sampling

  // RandomState.shuffle(x) for a list or 1-D array x.
  template <typename T>
  void shuffle(std::vector<T>& items) {
    for (size_t i = items.size(); i-- > 1;)
      std::swap(items[i], items[static_cast<size_t>(random_interval(i))]);
  }

 private:
  void regenerate();

  std::array<uint32_t, 624> mt_{};
  size_t pos_ = 624;
  bool has_gauss_ = false;
  double gauss_ = 0.0;
};

// z for a seed as generate.py makes it: RandomState(seed).randn(1, z_dim) (float64; the mapping network
// rounds it to float32).
std::vector<double> seed_to_z(uint32_t seed, int z_dim);

}  // namespace stylescope
