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
struct zip_source;

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
  // At most `max_bytes` from the start of a member, without the CRC check: enough to read image headers.
  ByteBuffer read_prefix(size_t index, size_t max_bytes) const;

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

// Writes an archive of stored (uncompressed) members to disk without holding them in memory: members added
// from files are read only when close() writes the archive. libzip writes to a temp file beside `path` and
// renames it at close(), so `path` appears complete or not at all; a writer destroyed before close()
// leaves nothing. InputError when `path` already exists or cannot be written.
class ZipFileWriter {
 public:
  explicit ZipFileWriter(const std::string& path);
  ZipFileWriter(const ZipFileWriter&) = delete;
  ZipFileWriter& operator=(const ZipFileWriter&) = delete;
  ~ZipFileWriter();

  void add_file(const std::string& member, const std::string& source_path);
  void add_bytes(const std::string& member, const std::string& bytes);
  void close();

 private:
  void add_source(const std::string& member, ::zip_source* source);
  struct zip* archive_ = nullptr;
  std::string path_;
};

// A complete zip archive in memory with the members in order, stored or deflated.
std::vector<uint8_t> build_zip(const std::vector<ZipMember>& members, bool deflate, const std::string& name);

}  // namespace stylescope
