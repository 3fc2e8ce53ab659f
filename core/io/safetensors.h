#pragma once
// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length N, N bytes of
// JSON {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}, then the
// tensor bytes. StyleScope's model format (DESIGN.md, Files) is built on top of this generic layer.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/io/raw_tensor.h"
#include "core/io/tensor_ref.h"

namespace stylescope {

struct SafetensorsFile {
  std::map<std::string, std::string> metadata;
  // In file (data offset) order. Each RawTensor views the file buffer (zero-copy, C-contiguous, possibly
  // unaligned: read elements with memcpy or RawTensor::to_float32).
  std::vector<std::pair<std::string, RawTensor>> tensors;

  const RawTensor* find(const std::string& name) const;  // nullptr when absent
};

// Reads and validates a file the way the reference implementation does: header length within the file,
// UTF-8 JSON object, known dtypes, non-negative shapes, data_offsets that tile the data section exactly
// (no gaps, no overlaps, nothing after the last tensor), end - begin == numel * element size, metadata
// values that are strings, no duplicate names. Throws InputError naming the file and the offending tensor.
SafetensorsFile read_safetensors(const std::string& path);
// The same on bytes already in memory; `name` is used in error messages.
SafetensorsFile parse_safetensors(const ByteBuffer& bytes, const std::string& name);

// Writes tensors in the order given (contiguous data, no padding between tensors) after a compact JSON
// header padded with spaces to a multiple of 8 bytes, as the reference writer does. Atomic (see
// write_file_atomic). Empty metadata writes no "__metadata__" entry. Throws std::invalid_argument for
// duplicate, empty or reserved names and null data; InputError when the file cannot be written.
void write_safetensors(const std::string& path, const std::map<std::string, std::string>& metadata,
                       const std::vector<std::pair<std::string, TensorRef>>& tensors);

// "F32", "F16", "BF16", "F64", "I64", "I32", "I16", "I8", "U8", "BOOL".
const char* safetensors_dtype_name(DType dtype);

}  // namespace stylescope
