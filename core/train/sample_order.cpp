// sample_index: each epoch is a keyed pseudo-random permutation evaluated per position, so the order needs
// no state and a resumed run continues it from a single number.
#include <stdexcept>
#include <string>

#include "core/train/dataset.h"

namespace stylescope::train {
namespace {

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

constexpr int kRounds = 8;

// A balanced Feistel network on 2 * half_bits bits: a bijection of [0, 2^(2 * half_bits)) for any key.
uint64_t feistel(uint64_t value, int half_bits, uint64_t key) {
  const uint64_t mask = (uint64_t{1} << half_bits) - 1;
  uint64_t left = value >> half_bits, right = value & mask;
  for (int round = 0; round < kRounds; ++round) {
    const uint64_t mixed = splitmix64(right ^ splitmix64(key + static_cast<uint64_t>(round))) & mask;
    const uint64_t next = left ^ mixed;
    left = right;
    right = next;
  }
  return (left << half_bits) | right;
}

}  // namespace

int64_t sample_index(int64_t dataset_size, uint64_t seed, int64_t position) {
  if (dataset_size <= 0) throw std::invalid_argument("sample_index: empty dataset");
  if (position < 0)
    throw std::invalid_argument("sample_index: negative position " + std::to_string(position));
  if (dataset_size == 1) return 0;
  const uint64_t epoch = static_cast<uint64_t>(position / dataset_size);
  const uint64_t key = splitmix64(splitmix64(seed) ^ epoch);
  int half_bits = 1;
  while ((uint64_t{1} << (2 * half_bits)) < static_cast<uint64_t>(dataset_size)) ++half_bits;
  // Cycle walking: apply the permutation of the enclosing power-of-four domain until the value lands in
  // [0, size). That restricts a bijection to a bijection; the domain is < 4x the size, so few steps.
  uint64_t value = static_cast<uint64_t>(position % dataset_size);
  do {
    value = feistel(value, half_bits, key);
  } while (value >= static_cast<uint64_t>(dataset_size));
  return static_cast<int64_t>(value);
}

}  // namespace stylescope::train
