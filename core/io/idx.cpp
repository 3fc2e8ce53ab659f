#include "core/io/idx.h"

#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "core/io/errors.h"

namespace stylescope {
namespace {

constexpr uint8_t kTypeUnsignedByte = 0x08;

// Reads up to `size` bytes; returns how many arrived (fewer only at the end of the data).
size_t read_some(gzFile file, uint8_t* out, size_t size, const std::string& path) {
  size_t filled = 0;
  while (filled < size) {
    const unsigned chunk = static_cast<unsigned>(std::min<size_t>(size - filled, 1u << 30));
    const int n = gzread(file, out + filled, chunk);
    if (n < 0) {
      int code = 0;
      const char* text = gzerror(file, &code);
      throw InputError(path, std::string("cannot read: ") + (text ? text : "zlib error"));
    }
    if (n == 0) break;
    filled += static_cast<size_t>(n);
  }
  return filled;
}

std::string dims_text(const std::vector<int64_t>& dims) {
  std::string text;
  for (int64_t d : dims) text += (text.empty() ? "" : "x") + std::to_string(d);
  return text;
}

}  // namespace

IdxArray read_idx(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw InputError(path, "cannot read: no such file");
  std::unique_ptr<gzFile_s, int (*)(gzFile)> file(gzopen(path.c_str(), "rb"), gzclose);
  if (!file) throw InputError(path, "cannot read: cannot open the file");

  uint8_t magic[4];
  if (read_some(file.get(), magic, 4, path) != 4 || magic[0] != 0 || magic[1] != 0) {
    throw InputError(path, "not an IDX file (bad magic number)");
  }
  if (magic[2] != kTypeUnsignedByte) {
    char type[8];
    std::snprintf(type, sizeof type, "0x%02x", magic[2]);
    throw InputError(path,
                     std::string("IDX data type ") + type + " is not supported (only unsigned bytes, 0x08)");
  }
  const int ndims = magic[3];
  if (ndims < 1) throw InputError(path, "IDX file with no dimensions");
  IdxArray array;
  uint64_t count = 1;
  for (int i = 0; i < ndims; ++i) {
    uint8_t b[4];
    if (read_some(file.get(), b, 4, path) != 4) throw InputError(path, "IDX header is truncated");
    const uint32_t dim = (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
    array.dims.push_back(dim);
    count *= dim;
    if (count > (uint64_t{1} << 40)) throw InputError(path, "IDX dimensions are implausibly large");
  }
  array.data.resize(static_cast<size_t>(count));
  const size_t got = read_some(file.get(), array.data.data(), array.data.size(), path);
  uint8_t extra = 0;
  if (got != array.data.size() || read_some(file.get(), &extra, 1, path) != 0) {
    throw InputError(path, "IDX data size does not match its header (" + dims_text(array.dims) + ")");
  }
  return array;
}

bool find_idx_train_split(const std::string& dir, IdxPair* pair) {
  namespace fs = std::filesystem;
  std::error_code ec;
  auto first_existing = [&](const std::string& stem) -> std::string {
    for (const char* suffix : {"", ".gz"}) {
      const fs::path p = fs::path(dir) / (stem + suffix);
      if (fs::is_regular_file(p, ec)) return p.string();
    }
    return "";
  };
  const std::string images = first_existing("train-images-idx3-ubyte");
  if (images.empty()) return false;
  if (pair) {
    pair->images = images;
    pair->labels = first_existing("train-labels-idx1-ubyte");
  }
  return true;
}

}  // namespace stylescope
