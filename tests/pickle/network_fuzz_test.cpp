// Truncation and seeded mutation fuzzing of a small network pickle, including the nested storage streams.
// Each input must load or throw InputError/UnsupportedError; the ASan/UBSan build (pickle_tests_asan)
// turns any out-of-bounds access into a failure.
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <random>

#include "core/io/pickle/network_pickle.h"
#include "core/io/pickle/torch_storage.h"
#include "tests/pickle/pickle_test_util.h"

namespace stylescope::pickle::test {
namespace {

enum class Outcome { Loaded, Refused };

// STYLESCOPE_FUZZ_ITERATIONS / STYLESCOPE_FUZZ_SEED run longer or different campaigns by hand.
int env_int(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::atoi(value) : fallback;
}

// Loads and touches every tensor byte (so a bad view would be caught by ASan).
Outcome load(const std::string& bytes) {
  try {
    const NetworkPickle net = read_network_pickle_bytes(to_buffer(bytes), "fuzz.pkl");
    for (const auto* module : {&net.G, &net.D, &net.G_ema}) {
      if (!*module) continue;
      for (const auto& [name, t] : (*module)->tensors) {
        if (!t.in_bounds()) throw std::logic_error("out-of-bounds tensor " + name);
        volatile float sink = 0;
        for (float v : t.to_float32()) sink = sink + v;
      }
      nlohmann::json all = (*module)->module_attributes;  // must be dumpable (valid UTF-8)
      (void)all.dump();
    }
    (void)net.training_set_kwargs.dump();
    return Outcome::Loaded;
  } catch (const InputError&) {
    return Outcome::Refused;
  }
}

// Where the nested legacy storage streams are: offset of each stream and of its int64 element count.
struct StreamInfo {
  size_t start = 0;  // first byte of the stream (after the SHORT_BINBYTES/BINBYTES length)
  size_t size = 0;
  int length_width = 0;  // 1 (SHORT_BINBYTES) or 4 (BINBYTES)
  size_t count_at = 0;   // the int64 element count before the raw data
};

std::vector<StreamInfo> find_streams(const std::string& bytes) {
  static const std::string kHead("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 14);
  std::vector<StreamInfo> out;
  for (size_t at = bytes.find(kHead); at != std::string::npos; at = bytes.find(kHead, at + 1)) {
    StreamInfo s;
    s.start = at;
    if (at >= 5 && bytes[at - 5] == 'B') {
      s.length_width = 4;
    } else if (at >= 2 && bytes[at - 2] == 'C') {
      s.length_width = 1;
    } else {
      continue;
    }
    for (int i = 0; i < s.length_width; ++i) {
      s.size |= static_cast<size_t>(static_cast<uint8_t>(bytes[at - s.length_width + i])) << (8 * i);
    }
    const ByteBuffer stream{nullptr, reinterpret_cast<const uint8_t*>(bytes.data()) + at, s.size};
    const LegacyStorage storage = decode_legacy_storage(stream, "stream", 0);
    s.count_at = static_cast<size_t>(storage.bytes.data - stream.data) - 8 + at;
    out.push_back(s);
  }
  return out;
}

class Mutator {
 public:
  Mutator(const std::string& original, uint32_t seed)
      : original_(original), streams_(find_streams(original)), rng_(seed) {}

  const std::vector<StreamInfo>& streams() const { return streams_; }

  std::string mutant() {
    std::string b = original_;
    const int n = 1 + static_cast<int>(rng_() % 3);
    for (int i = 0; i < n && !b.empty(); ++i) mutate(b);
    return b;
  }

 private:
  size_t below(size_t n) { return n == 0 ? 0 : rng_() % n; }

  void put_le(std::string& b, size_t at, uint64_t v, int width) {
    for (int i = 0; i < width && at + i < b.size(); ++i) b[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
  }

  uint64_t interesting(uint64_t near) {
    static const uint64_t kValues[] = {0,
                                       1,
                                       2,
                                       0x7f,
                                       0x80,
                                       0xff,
                                       0x7fff,
                                       0xffff,
                                       0x7fffffff,
                                       0x80000000,
                                       0xffffffff,
                                       0x7fffffffffffffffULL,
                                       0x8000000000000000ULL,
                                       ~0ULL};
    switch (rng_() % 3) {
      case 0:
        return kValues[below(std::size(kValues))];
      case 1:
        return near + below(17) - 8;
      default:
        return rng_();
    }
  }

  // A random position; half the time inside the header of a nested storage stream.
  size_t position(const std::string& b) {
    if (!streams_.empty() && rng_() % 2 == 0) {
      const StreamInfo& s = streams_[below(streams_.size())];
      const size_t from = s.start - s.length_width - 1;  // the opcode
      return std::min(b.size() - 1, from + below(s.count_at - from + 8));
    }
    return below(b.size());
  }

  void mutate(std::string& b) {
    const size_t at = position(b);
    switch (rng_() % 9) {
      case 0:
        b[at] = static_cast<char>(b[at] ^ (1 << below(8)));
        break;  // bit flip
      case 1:
        b[at] = static_cast<char>(rng_());
        break;
      case 2:
        b.insert(at, std::string(1 + below(8), static_cast<char>(rng_())));
        break;
      case 3:
        b.erase(at, 1 + below(16));
        break;
      case 4:
        put_le(b, at, interesting(0), rng_() % 2 ? 4 : 8);
        break;   // a length field anywhere
      case 5: {  // the BINBYTES length of a nested stream
        if (streams_.empty()) break;
        const StreamInfo& s = streams_[below(streams_.size())];
        put_le(b, s.start - s.length_width, interesting(s.size), s.length_width);
        break;
      }
      case 6: {  // the element count inside a nested stream
        if (streams_.empty()) break;
        const StreamInfo& s = streams_[below(streams_.size())];
        put_le(b, s.count_at, interesting(static_cast<uint64_t>(b[s.count_at])), 8);
        break;
      }
      case 7: {  // the storage class (dtype) of a nested stream
        static const char* kNames[] = {"ShortStorage", "Float_torage", "LongStorage\n", "BoolStorage\n"};
        const size_t found = b.find("FloatStorage", below(b.size()));
        if (found != std::string::npos) b.replace(found, 12, kNames[below(std::size(kNames))]);
        break;
      }
      default: {  // the storage key digits, or a splice of another part of the file
        const size_t from = below(b.size());
        const size_t len = 1 + below(32);
        b.replace(at, std::min(len, b.size() - at), b.substr(from, len));
      }
    }
  }

  const std::string& original_;
  std::vector<StreamInfo> streams_;
  std::mt19937 rng_;
};

TEST(NetworkFuzz, EveryTruncationIsRefused) {
  const std::string bytes = read_data("net_small.pkl");
  ASSERT_EQ(load(bytes), Outcome::Loaded);
  for (size_t len = 0; len < bytes.size(); ++len) {
    ASSERT_EQ(load(bytes.substr(0, len)), Outcome::Refused) << len;
  }
}

TEST(NetworkFuzz, RandomBytes) {
  std::mt19937 rng(7);
  for (int i = 0; i < 500; ++i) {
    std::string bytes(rng() % 2048, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    if (i % 2 == 0 && bytes.size() > 2) bytes.replace(0, 2, "\x80\x04");  // get past PROTO
    EXPECT_EQ(load(bytes), Outcome::Refused);
  }
}

TEST(NetworkFuzz, SeededMutations) {
  // STYLESCOPE_FUZZ_FILE mutates another network pickle instead (e.g. tests/fixtures/skip_rgb32.pkl).
  const char* other = std::getenv("STYLESCOPE_FUZZ_FILE");
  const std::string original = other != nullptr ? read_file(other) : read_data("net_small.pkl");
  const int iterations = env_int("STYLESCOPE_FUZZ_ITERATIONS", 3000);
  Mutator mutator(original, static_cast<uint32_t>(env_int("STYLESCOPE_FUZZ_SEED", 20240601)));
  if (other == nullptr) {
    ASSERT_GE(mutator.streams().size(), 30u);  // one per tensor of G, D and G_ema
  }
  int loaded = 0;
  int refused = 0;
  for (int i = 0; i < iterations; ++i) {
    (load(mutator.mutant()) == Outcome::Loaded ? loaded : refused)++;
  }
  // Both outcomes occur: mutations of tensor data load, structural ones are refused.
  if (other == nullptr) {
    EXPECT_GT(loaded, iterations / 30);
    EXPECT_GT(refused, iterations / 3);
  }
  std::cout << "[ mutations ] " << loaded << " loaded, " << refused << " refused\n";
}

}  // namespace
}  // namespace stylescope::pickle::test
