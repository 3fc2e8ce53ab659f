#pragma once
// A torch-free view of tensor data read from a file (pickle storages, safetensors, npy).
// Conversion to torch::Tensor lives in core/model (the only torch-dependent place).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace stylescope {

enum class DType { Float32, Float16, BFloat16, Float64, Int64, Int32, Int16, Int8, UInt8, Bool };

size_t dtype_size(DType dtype);
const char* dtype_name(DType dtype);  // numpy-ish name: "float32", "float16", ...

// Bytes that outlive every RawTensor that views them (a file buffer, or owned bytes).
struct ByteBuffer {
  std::shared_ptr<const void> owner;  // keeps `data` alive
  const uint8_t* data = nullptr;
  size_t size = 0;
};

struct RawTensor {
  DType dtype = DType::Float32;
  std::vector<int64_t> shape;
  std::vector<int64_t> strides;  // in elements; empty means C-contiguous
  int64_t offset = 0;            // in elements, into storage
  ByteBuffer storage;            // whole storage (may be shared by several tensors)

  int64_t numel() const;
  // True when shape/strides/offset address only bytes inside storage (checked by loaders).
  bool in_bounds() const;
  // Copies the addressed elements into a C-contiguous float32 vector (converting f16/bf16/f64/ints).
  std::vector<float> to_float32() const;
};

std::string shape_string(const std::vector<int64_t>& shape);  // "[512, 3, 3]"

}  // namespace stylescope
