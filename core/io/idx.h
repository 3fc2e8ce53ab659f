#pragma once
// MNIST-style IDX files (http://yann.lecun.com/exdb/mnist/): a big-endian header (two zero bytes, a type
// byte, the number of dimensions, then each dimension as uint32) followed by the data. Only unsigned-byte
// data (type 0x08) is read, which is what the MNIST family ships. Files may be gzipped or plain: zlib
// reads both transparently.
#include <cstdint>
#include <string>
#include <vector>

namespace stylescope {

struct IdxArray {
  std::vector<int64_t> dims;  // e.g. [60000, 28, 28] for images, [60000] for labels
  std::vector<uint8_t> data;  // product(dims) bytes, row-major
};

// InputError naming the file for a missing file, a bad magic number, an unsupported type, or a data size
// that does not match the header.
IdxArray read_idx(const std::string& path);

// The train split of an IDX folder: `train-images-idx3-ubyte[.gz]` and `train-labels-idx1-ubyte[.gz]`.
struct IdxPair {
  std::string images;
  std::string labels;  // empty when the folder has no label file
};
// Whether `dir` holds a train image file; fills `pair` when it does.
bool find_idx_train_split(const std::string& dir, IdxPair* pair);

}  // namespace stylescope
