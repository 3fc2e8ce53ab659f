#pragma once
// Torch tensors inside a plain pickle, decoded without torch (spec §7.3): the records
// torch._utils._rebuild_parameter / _rebuild_tensor_v2 and the legacy (non-zip) torch.save stream that
// torch.storage._load_from_bytes receives for every storage.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/io/pickle/pickle_value.h"
#include "core/io/raw_tensor.h"

namespace stylescope::pickle {

// "FloatStorage" -> Float32, "HalfStorage" -> Float16, ...; false for classes we do not read.
bool storage_dtype(std::string_view class_name, DType& dtype);

struct LegacyStorage {
  DType dtype = DType::Float32;
  int64_t numel = 0;
  ByteBuffer bytes;  // numel * dtype_size(dtype) raw little-endian bytes inside the stream
};

// Decodes one legacy torch.save stream holding one storage: magic pickle, protocol 1001, sys-info dict,
// a pickle of the persistent id ('storage', torch.XxxStorage, key, location, numel, view), the key list,
// then per key an int64 element count and the raw bytes. The result views `stream` (and shares its
// owner). Errors name `name` and the byte offset `base_offset + ...`; zip/tar-format streams throw
// UnsupportedError.
LegacyStorage decode_legacy_storage(const ByteBuffer& stream, const std::string& name, size_t base_offset);

// Turns tensor records of one pickle document into RawTensors whose storage views the file buffer (no
// copy). Storages shared by several tensors (memo references) are decoded once.
class TorchTensorDecoder {
 public:
  // `file`: the whole pickle. `document_owner` keeps alive bytes the document decoded itself (protocol-2
  // pickles encode bytes as latin-1 text); tensors viewing such bytes hold it. `name` labels errors.
  TorchTensorDecoder(ByteBuffer file, std::shared_ptr<const void> document_owner, std::string name);

  // True for _rebuild_parameter / _rebuild_tensor_v2 / _rebuild_tensor / _rebuild_from_type_v2 records.
  static bool is_tensor_record(const Value& value);
  // Decodes a tensor record; `where` names the slot in errors ("G_ema.synthesis.b4.const"). Anything else
  // throws InputError "expected a tensor at <where>, found <what>".
  RawTensor tensor(const Value& value, const std::string& where);

 private:
  RawTensor rebuild(const std::vector<Value*>& args, const std::string& where);
  const LegacyStorage& storage(const Value& value, const std::string& where);
  [[noreturn]] void fail(const std::string& problem) const;

  ByteBuffer file_;
  std::shared_ptr<const void> document_owner_;
  std::string name_;
  std::unordered_map<const Value*, LegacyStorage> cache_;
};

}  // namespace stylescope::pickle
