#pragma once
// A borrowed, C-contiguous, little-endian tensor handed to the writers (safetensors, npy, npz), and
// helpers shared by the readers.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/io/raw_tensor.h"

namespace stylescope {

struct TensorRef {
  DType dtype = DType::Float32;
  std::vector<int64_t> shape;
  const void* data = nullptr;  // numel() * dtype_size(dtype) bytes; may be null when numel() == 0

  // Product of `shape`; throws std::invalid_argument for negative or overflowing dimensions.
  int64_t numel() const;
  size_t nbytes() const { return static_cast<size_t>(numel()) * dtype_size(dtype); }

  // A view of `tensor`, which must be C-contiguous and in bounds (std::invalid_argument otherwise).
  static TensorRef from(const RawTensor& tensor);
};

// Product of `shape` with overflow checks: false when a dimension is negative or numel * element_size
// would not fit in int64.
bool checked_numel(const std::vector<int64_t>& shape, size_t element_size, int64_t& numel);

// A ByteBuffer that owns `bytes`.
ByteBuffer owned_bytes(std::vector<uint8_t> bytes);

// A ByteBuffer viewing [offset, offset + size) of `parent` and sharing its owner.
ByteBuffer sub_buffer(const ByteBuffer& parent, size_t offset, size_t size);

}  // namespace stylescope
