// Stand-ins for core/io/zip_npz.cpp in builds without libzip: a clear error instead of a link failure.
#ifndef STYLESCOPE_HAVE_ZIP
#include "core/io/errors.h"
#include "core/io/zip_npz.h"

namespace stylescope {
namespace {

[[noreturn]] void unavailable(const std::string& name) {
  throw UnsupportedError(name, ".npz files need libzip, which this build of StyleScope was made without");
}

}  // namespace

std::map<std::string, RawTensor> read_npz(const std::string& path) { unavailable(path); }
std::map<std::string, RawTensor> parse_npz(const ByteBuffer&, const std::string& name) { unavailable(name); }
RawTensor read_npz_array(const std::string& path, const std::string&) { unavailable(path); }
void write_npz(const std::string& path, const std::vector<std::pair<std::string, TensorRef>>&, bool) {
  unavailable(path);
}

}  // namespace stylescope
#endif
