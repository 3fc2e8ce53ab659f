#pragma once
// SHA-256 (FIPS 180-4), streamed: small enough to keep here instead of linking a crypto library for the one
// use StyleScope has, fingerprinting a model's tensors (core/model/model_hash.h).
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace stylescope {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t size);
  void update(std::string_view text) { update(text.data(), text.size()); }
  // The digest as 64 lowercase hex digits; the object must not be updated afterwards.
  std::string hex_digest();

 private:
  void compress(const uint8_t* block);
  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t total_bytes_ = 0;
};

}  // namespace stylescope
