#pragma once
// A thin RAII layer over libzip (only built when libzip is found: STYLESCOPE_HAVE_ZIP). Reading works on
// an archive in memory or on disk (dataset zips stay on disk); writing builds the archive in memory for an
// atomic write. Errors are InputError naming the archive (and the member).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/io/raw_tensor.h"

struct zip;

namespace stylescope {

class ZipReader {
 public:
  // `bytes` stays alive (shared owner) as long as the reader; `name` is used in error messages.
  static ZipReader from_buffer(const ByteBuffer& bytes, const std::string& name);
  static ZipReader open(const std::string& path);

  ZipReader(ZipReader&& other) noexcept;
  ZipReader& operator=(ZipReader&& other) noexcept;
  ZipReader(const ZipReader&) = delete;
  ZipReader& operator=(const ZipReader&) = delete;
  ~ZipReader();

  size_t size() const { return names_.size(); }
  const std::string& name(size_t index) const { return names_.at(index); }
  const std::vector<std::string>& names() const { return names_; }
  std::optional<size_t> find(const std::string& member) const;

  // The whole uncompressed member (CRC-checked by libzip). Not thread-safe: one reader per thread.
  ByteBuffer read(size_t index) const;

 private:
  ZipReader(struct zip* archive, ByteBuffer bytes, std::string name);
  struct zip* archive_ = nullptr;
  ByteBuffer bytes_;  // keeps an in-memory archive alive
  std::string path_;
  std::vector<std::string> names_;
};

struct ZipMember {
  std::string name;
  const void* data = nullptr;
  size_t size = 0;
};

// A complete zip archive in memory with the members in order, stored or deflated.
std::vector<uint8_t> build_zip(const std::vector<ZipMember>& members, bool deflate, const std::string& name);

}  // namespace stylescope
