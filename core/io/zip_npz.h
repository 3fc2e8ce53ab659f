#pragma once
// NumPy .npz archives: a zip of .npy members (np.savez stores them, np.savez_compressed deflates them).
// Declared always; without libzip (STYLESCOPE_HAVE_ZIP unset) every function throws UnsupportedError.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/io/raw_tensor.h"
#include "core/io/tensor_ref.h"

namespace stylescope {

// Member name without ".npy" -> array (C-contiguous, see read_npy). Members that are not .npy files are
// skipped, as numpy exposes them only as raw bytes. InputError names the archive and the member.
std::map<std::string, RawTensor> read_npz(const std::string& path);
std::map<std::string, RawTensor> parse_npz(const ByteBuffer& bytes, const std::string& name);

// One array of an .npz file, e.g. read_npz_array("projected_w.npz", "w"); InputError listing the keys
// present when `key` is missing.
RawTensor read_npz_array(const std::string& path, const std::string& key);

// Writes "<name>.npy" members in the given order (stored like np.savez, or deflated like
// np.savez_compressed), atomically.
void write_npz(const std::string& path, const std::vector<std::pair<std::string, TensorRef>>& arrays,
               bool compressed = false);

}  // namespace stylescope
