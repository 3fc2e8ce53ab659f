#include "core/io/tensor_ref.h"

#include <limits>
#include <memory>
#include <stdexcept>
#include <utility>

namespace stylescope {

bool checked_numel(const std::vector<int64_t>& shape, size_t element_size, int64_t& numel) {
  const uint64_t limit = static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / element_size;
  uint64_t n = 1;
  bool zero = false;
  for (int64_t d : shape) {
    if (d < 0) return false;
    if (d == 0) zero = true;
    if (!zero) {
      if (static_cast<uint64_t>(d) > limit / n) return false;
      n *= static_cast<uint64_t>(d);
    }
  }
  numel = zero ? 0 : static_cast<int64_t>(n);
  return true;
}

int64_t TensorRef::numel() const {
  int64_t n = 0;
  if (!checked_numel(shape, dtype_size(dtype), n)) {
    throw std::invalid_argument("tensor shape " + shape_string(shape) + " is negative or too large");
  }
  return n;
}

TensorRef TensorRef::from(const RawTensor& tensor) {
  if (!tensor.in_bounds()) throw std::invalid_argument("TensorRef::from: tensor is out of bounds");
  if (!tensor.strides.empty() && tensor.numel() > 0) {
    int64_t expected = 1;
    for (size_t i = tensor.shape.size(); i-- > 0;) {
      if (tensor.shape[i] != 1 && tensor.strides[i] != expected) {
        throw std::invalid_argument("TensorRef::from: tensor is not C-contiguous");
      }
      expected *= tensor.shape[i];
    }
  }
  TensorRef ref;
  ref.dtype = tensor.dtype;
  ref.shape = tensor.shape;
  ref.data = tensor.storage.data == nullptr
                 ? nullptr
                 : tensor.storage.data + static_cast<size_t>(tensor.offset) * dtype_size(tensor.dtype);
  return ref;
}

ByteBuffer owned_bytes(std::vector<uint8_t> bytes) {
  auto owner = std::make_shared<std::vector<uint8_t>>(std::move(bytes));
  ByteBuffer buffer;
  buffer.data = owner->data();
  buffer.size = owner->size();
  buffer.owner = std::move(owner);
  return buffer;
}

ByteBuffer sub_buffer(const ByteBuffer& parent, size_t offset, size_t size) {
  if (offset > parent.size || size > parent.size - offset) throw std::out_of_range("sub_buffer out of range");
  ByteBuffer view;
  view.owner = parent.owner;
  view.data = parent.data + offset;
  view.size = size;
  return view;
}

}  // namespace stylescope
