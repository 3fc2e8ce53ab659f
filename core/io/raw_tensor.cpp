#include "core/io/raw_tensor.h"

#include <cstring>
#include <limits>

namespace stylescope {

size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::Float64:
    case DType::Int64: return 8;
    case DType::Float32:
    case DType::Int32: return 4;
    case DType::Float16:
    case DType::BFloat16:
    case DType::Int16: return 2;
    case DType::Int8:
    case DType::UInt8:
    case DType::Bool: return 1;
  }
  return 1;
}

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::Float32: return "float32";
    case DType::Float16: return "float16";
    case DType::BFloat16: return "bfloat16";
    case DType::Float64: return "float64";
    case DType::Int64: return "int64";
    case DType::Int32: return "int32";
    case DType::Int16: return "int16";
    case DType::Int8: return "int8";
    case DType::UInt8: return "uint8";
    case DType::Bool: return "bool";
  }
  return "unknown";
}

int64_t RawTensor::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

bool RawTensor::in_bounds() const {
  if (offset < 0) return false;
  if (!strides.empty() && strides.size() != shape.size()) return false;
  const uint64_t limit = std::numeric_limits<int64_t>::max() / 16;
  uint64_t count = 1;
  for (int64_t d : shape) {
    if (d < 0 || static_cast<uint64_t>(d) > limit) return false;
    count *= static_cast<uint64_t>(d);
    if (count > limit) return false;
  }
  const uint64_t elements_in_storage = storage.size / dtype_size(dtype);
  if (count == 0) return static_cast<uint64_t>(offset) <= elements_in_storage;
  // Highest element index addressed (strides are non-negative in every file we read).
  uint64_t last = static_cast<uint64_t>(offset);
  if (strides.empty()) {
    last += count - 1;
  } else {
    for (size_t i = 0; i < shape.size(); ++i) {
      if (strides[i] < 0 || static_cast<uint64_t>(strides[i]) > limit) return false;
      last += static_cast<uint64_t>(shape[i] - 1) * static_cast<uint64_t>(strides[i]);
      if (last > limit) return false;
    }
  }
  return storage.data != nullptr && last < elements_in_storage;
}

namespace {

float half_to_float(uint16_t h) {
  const uint32_t sign = (h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1f;
  uint32_t mantissa = h & 0x3ff;
  uint32_t bits;
  if (exponent == 0) {
    if (mantissa == 0) {
      bits = sign;
    } else {  // subnormal: renormalize
      exponent = 127 - 15 + 1;
      while ((mantissa & 0x400) == 0) {
        mantissa <<= 1;
        --exponent;
      }
      mantissa &= 0x3ff;
      bits = sign | (exponent << 23) | (mantissa << 13);
    }
  } else if (exponent == 31) {
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else {
    bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

template <typename T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

float element_as_float(DType dtype, const uint8_t* p) {
  switch (dtype) {
    case DType::Float32: return load<float>(p);
    case DType::Float16: return half_to_float(load<uint16_t>(p));
    case DType::BFloat16: {
      const uint32_t bits = static_cast<uint32_t>(load<uint16_t>(p)) << 16;
      float f;
      std::memcpy(&f, &bits, 4);
      return f;
    }
    case DType::Float64: return static_cast<float>(load<double>(p));
    case DType::Int64: return static_cast<float>(load<int64_t>(p));
    case DType::Int32: return static_cast<float>(load<int32_t>(p));
    case DType::Int16: return static_cast<float>(load<int16_t>(p));
    case DType::Int8: return static_cast<float>(load<int8_t>(p));
    case DType::UInt8: return static_cast<float>(load<uint8_t>(p));
    case DType::Bool: return *p ? 1.0f : 0.0f;
  }
  return 0.0f;
}

}  // namespace

std::vector<float> RawTensor::to_float32() const {
  const int64_t n = numel();
  std::vector<float> out(static_cast<size_t>(n));
  if (n == 0) return out;
  const size_t esize = dtype_size(dtype);
  std::vector<int64_t> contiguous(shape.size(), 1);
  for (int i = static_cast<int>(shape.size()) - 2; i >= 0; --i) contiguous[i] = contiguous[i + 1] * shape[i + 1];
  const std::vector<int64_t>& st = strides.empty() ? contiguous : strides;
  if (dtype == DType::Float32 && st == contiguous) {
    std::memcpy(out.data(), storage.data + offset * esize, static_cast<size_t>(n) * 4);
    return out;
  }
  std::vector<int64_t> index(shape.size(), 0);
  for (int64_t flat = 0; flat < n; ++flat) {
    int64_t element = offset;
    for (size_t d = 0; d < shape.size(); ++d) element += index[d] * st[d];
    out[static_cast<size_t>(flat)] = element_as_float(dtype, storage.data + element * esize);
    for (int d = static_cast<int>(shape.size()) - 1; d >= 0; --d) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

std::string shape_string(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

}  // namespace stylescope
