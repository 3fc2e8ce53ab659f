#include "core/io/zip_archive.h"

#include <zip.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <new>
#include <utility>

#include "core/io/errors.h"

namespace stylescope {
namespace {

std::string error_text(zip_error_t* error) {
  const char* text = zip_error_strerror(error);
  return text ? text : "unknown zip error";
}

std::string code_text(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string text = error_text(&error);
  zip_error_fini(&error);
  return text;
}

// Deflate cannot expand data by more than ~1032:1; a larger claim is a corrupt or hostile archive.
constexpr uint64_t kMaxDeflateRatio = 1100;

}  // namespace

ZipReader::ZipReader(struct zip* archive, ByteBuffer bytes, std::string name)
    : archive_(archive), bytes_(std::move(bytes)), path_(std::move(name)) {
  const zip_int64_t count = zip_get_num_entries(archive_, 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    const char* entry = zip_get_name(archive_, static_cast<zip_uint64_t>(i), ZIP_FL_ENC_GUESS);
    names_.emplace_back(entry ? entry : "");
  }
}

ZipReader ZipReader::from_buffer(const ByteBuffer& bytes, const std::string& name) {
  // libzip opens an empty file as an empty archive; numpy and every other reader reject it.
  if (bytes.size == 0) throw InputError(name, "not a zip archive: the file is empty");
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(bytes.data, bytes.size, 0, &error);
  if (source == nullptr) {
    const std::string text = error_text(&error);
    zip_error_fini(&error);
    throw InputError(name, "not a zip archive: " + text);
  }
  struct zip* archive = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
  if (archive == nullptr) {
    zip_source_free(source);
    const std::string text = error_text(&error);
    zip_error_fini(&error);
    throw InputError(name, "not a zip archive: " + text);
  }
  zip_error_fini(&error);
  return ZipReader(archive, bytes, name);
}

ZipReader ZipReader::open(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec) && std::filesystem::file_size(path, ec) == 0 && !ec) {
    throw InputError(path, "not a zip archive: the file is empty");
  }
  // No ZIP_CHECKCONS here: it reads every local header up front, slow for dataset zips of many images;
  // each member's size and CRC are still checked when it is read.
  int code = 0;
  struct zip* archive = zip_open(path.c_str(), ZIP_RDONLY, &code);
  if (archive == nullptr) {
    const std::string text = code_text(code);
    if (code == ZIP_ER_NOENT || code == ZIP_ER_OPEN || code == ZIP_ER_READ) {
      throw InputError(path, "cannot read: " + text);
    }
    throw InputError(path, "not a zip archive: " + text);
  }
  return ZipReader(archive, ByteBuffer{}, path);
}

ZipReader::ZipReader(ZipReader&& other) noexcept
    : archive_(std::exchange(other.archive_, nullptr)),
      bytes_(std::move(other.bytes_)),
      path_(std::move(other.path_)),
      names_(std::move(other.names_)) {}

ZipReader& ZipReader::operator=(ZipReader&& other) noexcept {
  if (this != &other) {
    if (archive_) zip_discard(archive_);
    archive_ = std::exchange(other.archive_, nullptr);
    bytes_ = std::move(other.bytes_);
    path_ = std::move(other.path_);
    names_ = std::move(other.names_);
  }
  return *this;
}

ZipReader::~ZipReader() {
  if (archive_) zip_discard(archive_);
}

std::optional<size_t> ZipReader::find(const std::string& member) const {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == member) return i;
  }
  return std::nullopt;
}

ByteBuffer ZipReader::read(size_t index) const {
  const std::string where = "member '" + name(index) + "': ";
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(archive_, index, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) ||
      !(st.valid & ZIP_STAT_COMP_SIZE)) {
    throw InputError(path_, where + "cannot read its size: " + error_text(zip_get_error(archive_)));
  }
  if (st.size > st.comp_size * kMaxDeflateRatio + 4096) {
    throw InputError(path_, where + "claims " + std::to_string(st.size) + " bytes from " +
                                std::to_string(st.comp_size) + " compressed bytes");
  }
  std::shared_ptr<uint8_t[]> data;
  try {
    data.reset(new uint8_t[st.size > 0 ? st.size : 1]);  // uninitialised: pages fill as data arrives
  } catch (const std::bad_alloc&) {
    throw InputError(path_, where + std::to_string(st.size) + " bytes do not fit in memory");
  }
  zip_file_t* file = zip_fopen_index(archive_, index, 0);
  if (file == nullptr) throw InputError(path_, where + "cannot open: " + error_text(zip_get_error(archive_)));
  uint64_t filled = 0;
  while (filled < st.size) {
    const zip_int64_t n = zip_fread(file, data.get() + filled, st.size - filled);
    if (n < 0) {
      const std::string text = error_text(zip_file_get_error(file));
      zip_fclose(file);
      throw InputError(path_, where + "cannot read: " + text);
    }
    if (n == 0) break;
    filled += static_cast<uint64_t>(n);
  }
  // Reading one byte past the declared size lets libzip verify the CRC of the whole member.
  uint8_t extra = 0;
  const zip_int64_t tail = zip_fread(file, &extra, 1);
  const std::string tail_error = tail < 0 ? error_text(zip_file_get_error(file)) : "";
  zip_fclose(file);
  if (tail < 0) throw InputError(path_, where + "cannot read: " + tail_error);
  if (filled != st.size || tail != 0) {
    throw InputError(path_,
                     where + "size does not match the directory (" + std::to_string(st.size) + " bytes)");
  }
  ByteBuffer buffer;
  buffer.data = data.get();
  buffer.size = static_cast<size_t>(st.size);
  buffer.owner = std::move(data);
  return buffer;
}

ByteBuffer ZipReader::read_prefix(size_t index, size_t max_bytes) const {
  const std::string where = "member '" + name(index) + "': ";
  zip_file_t* file = zip_fopen_index(archive_, index, 0);
  if (file == nullptr) throw InputError(path_, where + "cannot open: " + error_text(zip_get_error(archive_)));
  std::shared_ptr<uint8_t[]> data(new uint8_t[max_bytes > 0 ? max_bytes : 1]);
  uint64_t filled = 0;
  while (filled < max_bytes) {
    const zip_int64_t n = zip_fread(file, data.get() + filled, max_bytes - filled);
    if (n < 0) {
      const std::string text = error_text(zip_file_get_error(file));
      zip_fclose(file);
      throw InputError(path_, where + "cannot read: " + text);
    }
    if (n == 0) break;
    filled += static_cast<uint64_t>(n);
  }
  zip_fclose(file);
  ByteBuffer buffer;
  buffer.data = data.get();
  buffer.size = static_cast<size_t>(filled);
  buffer.owner = std::move(data);
  return buffer;
}

ZipFileWriter::ZipFileWriter(const std::string& path) : path_(path) {
  int code = 0;
  archive_ = zip_open(path.c_str(), ZIP_CREATE | ZIP_EXCL, &code);
  if (archive_ == nullptr) {
    if (code == ZIP_ER_EXISTS) throw InputError(path, "already exists; not overwriting it");
    throw InputError(path, "cannot write: " + code_text(code));
  }
}

ZipFileWriter::~ZipFileWriter() {
  if (archive_) zip_discard(archive_);
}

void ZipFileWriter::add_source(const std::string& member, zip_source_t* source) {
  const std::string where = "member '" + member + "': ";
  if (source == nullptr)
    throw InputError(path_, "cannot write: " + where + error_text(zip_get_error(archive_)));
  const zip_int64_t index = zip_file_add(archive_, member.c_str(), source, ZIP_FL_ENC_UTF_8);
  if (index < 0) {
    zip_source_free(source);
    throw InputError(path_, "cannot write: " + where + error_text(zip_get_error(archive_)));
  }
  if (zip_set_file_compression(archive_, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0) != 0) {
    throw InputError(path_, "cannot write: " + where + error_text(zip_get_error(archive_)));
  }
}

void ZipFileWriter::add_file(const std::string& member, const std::string& source_path) {
  add_source(member, zip_source_file(archive_, source_path.c_str(), 0, -1));
}

void ZipFileWriter::add_bytes(const std::string& member, const std::string& bytes) {
  // libzip frees the copy (freep = 1) once the archive is written or discarded.
  void* copy = std::malloc(bytes.size() > 0 ? bytes.size() : 1);
  if (copy == nullptr) throw std::bad_alloc();
  std::memcpy(copy, bytes.data(), bytes.size());
  zip_source_t* source = zip_source_buffer(archive_, copy, bytes.size(), 1);
  if (source == nullptr) std::free(copy);
  add_source(member, source);
}

void ZipFileWriter::close() {
  if (archive_ == nullptr) return;
  if (zip_close(archive_) != 0) {
    const std::string text = error_text(zip_get_error(archive_));
    zip_discard(archive_);
    archive_ = nullptr;
    throw InputError(path_, "cannot write: " + text);
  }
  archive_ = nullptr;
}

std::vector<uint8_t> build_zip(const std::vector<ZipMember>& members, bool deflate, const std::string& name) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* target = zip_source_buffer_create(nullptr, 0, 0, &error);
  if (target == nullptr) throw std::bad_alloc();
  zip_source_keep(target);  // survives zip_close so that we can read the finished archive back
  struct zip* archive = zip_open_from_source(target, ZIP_TRUNCATE, &error);
  auto fail = [&](const std::string& what) {
    const std::string text = archive ? error_text(zip_get_error(archive)) : error_text(&error);
    if (archive) zip_discard(archive);
    zip_source_free(target);
    zip_error_fini(&error);
    throw InputError(name, "cannot write: " + what + text);
  };
  if (archive == nullptr) fail("");
  for (const ZipMember& member : members) {
    zip_source_t* source = zip_source_buffer(archive, member.data, member.size, 0);
    if (source == nullptr) fail("member '" + member.name + "': ");
    const zip_int64_t index = zip_file_add(archive, member.name.c_str(), source, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
      zip_source_free(source);
      fail("member '" + member.name + "': ");
    }
    if (zip_set_file_compression(archive, static_cast<zip_uint64_t>(index),
                                 deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0) != 0) {
      fail("member '" + member.name + "': ");
    }
  }
  if (zip_close(archive) != 0) fail("");
  archive = nullptr;

  std::vector<uint8_t> out;
  bool ok = zip_source_open(target) == 0;
  if (ok) {
    ok = zip_source_seek(target, 0, SEEK_END) == 0;
    const zip_int64_t size = ok ? zip_source_tell(target) : -1;
    ok = ok && size >= 0 && zip_source_seek(target, 0, SEEK_SET) == 0;
    if (ok) {
      out.resize(static_cast<size_t>(size));
      ok = zip_source_read(target, out.data(), out.size()) == size;
    }
    zip_source_close(target);
  }
  if (!ok) fail("");
  zip_source_free(target);
  zip_error_fini(&error);
  return out;
}

}  // namespace stylescope
