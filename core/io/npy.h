#pragma once
// NumPy .npy files (numpy/lib/format.py): magic "\x93NUMPY", version 1.0/2.0/3.0, a Python-literal
// header {'descr': '<f4', 'fortran_order': False, 'shape': (1, 512), } padded to 64 bytes, then the data.
#include <string>
#include <vector>

#include "core/io/raw_tensor.h"
#include "core/io/tensor_ref.h"

namespace stylescope {

// Reads little-endian (or single-byte) f2/f4/f8, i1/i2/i4/i8, u1 and b1 arrays. C-order data is viewed in
// place (zero-copy); Fortran-order data is copied into C order. Big-endian, object, structured and other
// dtypes, malformed headers and truncated data throw InputError naming the file. Like numpy, bytes after
// the array data are ignored.
RawTensor read_npy(const std::string& path);
RawTensor parse_npy(const ByteBuffer& bytes, const std::string& name);

// The header numpy writes for a C-order array: magic, version (1.0, or 2.0 when the header would not fit),
// length, dict with numpy's growth padding, spaces and a final newline up to a multiple of 64 bytes.
// Throws std::invalid_argument for BFloat16 (numpy has no such dtype).
std::string npy_header(DType dtype, const std::vector<int64_t>& shape);

// A whole .npy file in memory (for .npz members) and an atomic .npy write.
std::vector<uint8_t> encode_npy(const TensorRef& tensor);
void write_npy(const std::string& path, const TensorRef& tensor);

}  // namespace stylescope
