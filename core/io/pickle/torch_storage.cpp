#include "core/io/pickle/torch_storage.h"

#include <cstring>
#include <limits>

#include "core/io/errors.h"
#include "core/io/pickle/pickle_reader.h"

namespace stylescope::pickle {
namespace {

// torch.serialization.MAGIC_NUMBER = 0x1950a86a20f9469cfc6c, as minimal little-endian two's complement.
constexpr std::string_view kMagic("\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 10);
constexpr int64_t kProtocolVersion = 1001;

bool is_int(const Value* v) { return v != nullptr && v->kind == Kind::Int; }
bool is_text(const Value* v) { return v != nullptr && (v->kind == Kind::String || v->kind == Kind::Bytes); }

std::string at(size_t base, size_t offset) { return "byte " + std::to_string(base + offset) + ": "; }

[[noreturn]] void fail_at(const std::string& name, size_t base, size_t offset, const std::string& problem) {
  throw InputError(name, at(base, offset) + problem);
}

}  // namespace

bool storage_dtype(std::string_view class_name, DType& dtype) {
  static const std::pair<std::string_view, DType> kTable[] = {
      {"FloatStorage", DType::Float32},     {"HalfStorage", DType::Float16},
      {"BFloat16Storage", DType::BFloat16}, {"DoubleStorage", DType::Float64},
      {"LongStorage", DType::Int64},        {"IntStorage", DType::Int32},
      {"ShortStorage", DType::Int16},       {"CharStorage", DType::Int8},
      {"ByteStorage", DType::UInt8},        {"BoolStorage", DType::Bool},
      {"UntypedStorage", DType::UInt8},
  };
  for (const auto& [name, d] : kTable) {
    if (class_name == name) {
      dtype = d;
      return true;
    }
  }
  return false;
}

LegacyStorage decode_legacy_storage(const ByteBuffer& stream, const std::string& name, size_t base) {
  const uint8_t* data = stream.data;
  const size_t size = stream.size;
  if (size >= 4 && std::memcmp(data, "PK\x03\x04", 4) == 0) {
    throw UnsupportedError(name, at(base, 0) +
                                     "storage is a zip-format torch.save archive; only the legacy "
                                     "stream torch writes for pickled storages is supported");
  }
  if (size >= 262 && std::memcmp(data + 257, "ustar", 5) == 0) {
    throw UnsupportedError(
        name, at(base, 0) + "storage is a tar-format torch.save archive (torch < 0.4); not supported");
  }
  PickleDocument doc(data, size, name, base);
  size_t pos = 0;
  const Value* magic = doc.load(pos, &pos);
  if (magic->kind != Kind::BigInt || magic->text != kMagic) {
    fail_at(name, base, 0, "not a legacy torch.save stream (magic number is " + describe(*magic) + ")");
  }
  const size_t version_at = pos;
  const Value* version = doc.load(pos, &pos);
  if (!is_int(version) || version->integer != kProtocolVersion) {
    fail_at(name, base, version_at,
            "unsupported torch.save protocol version " + describe(*version) + " (expected 1001)");
  }
  const size_t info_at = pos;
  const Value* info = doc.load(pos, &pos);
  if (info->kind != Kind::Dict)
    fail_at(name, base, info_at, "torch.save sys-info is " + describe(*info) + ", not a dict");
  if (const Value* little = info->find("little_endian");
      little != nullptr && !(little->kind == Kind::Bool && little->boolean)) {
    throw UnsupportedError(name, at(base, info_at) + "big-endian torch storage is not supported");
  }

  const size_t record_at = pos;
  const Value* record = doc.load(pos, &pos);
  const Value* pid = record->kind == Kind::PersistentId ? record->items[0] : nullptr;
  if (pid == nullptr || pid->kind != Kind::Tuple || pid->items.size() != 6 || !is_text(pid->items[0]) ||
      pid->items[0]->text != "storage") {
    fail_at(name, base, record_at,
            "expected the persistent id ('storage', class, key, location, numel, view), found " +
                describe(pid ? *pid : *record));
  }
  const std::vector<Value*>& f = pid->items;
  const Value& cls = *f[1];
  DType dtype;
  if (cls.kind != Kind::Global || cls.text != "torch" || !storage_dtype(cls.name, dtype)) {
    throw UnsupportedError(name, at(base, record_at) + "unsupported storage class " + describe(cls));
  }
  if (!is_text(f[2]) || !is_text(f[3]) || !is_int(f[4]) || f[4]->integer < 0) {
    fail_at(name, base, record_at, "malformed storage persistent id (key, location, numel)");
  }
  const std::string_view key = f[2]->text;
  const int64_t numel = f[4]->integer;
  const size_t esize = dtype_size(dtype);

  const size_t keys_at = pos;
  const Value* keys = doc.load(pos, &pos);
  if (keys->kind != Kind::List)
    fail_at(name, base, keys_at, "storage key list is " + describe(*keys) + ", not a list");
  const uint8_t* found = nullptr;
  for (const Value* k : keys->items) {
    if (!is_text(k) || k->text != key)
      fail_at(name, base, keys_at, "storage key list names an unknown storage " + describe(*k));
    if (size - pos < 8) fail_at(name, base, pos, "truncated storage element count");
    int64_t count;
    std::memcpy(&count, data + pos, 8);  // little-endian hosts only (x86-64/aarch64)
    pos += 8;
    if (count < 0 || static_cast<uint64_t>(count) > (size - pos) / esize) {
      fail_at(name, base, pos - 8,
              "storage of " + std::to_string(count) + " elements does not fit the " +
                  std::to_string(size - pos) + " bytes left");
    }
    if (count != numel) {
      fail_at(name, base, pos - 8,
              "storage holds " + std::to_string(count) + " elements, its persistent id says " +
                  std::to_string(numel));
    }
    found = data + pos;
    pos += static_cast<size_t>(count) * esize;
  }
  if (found == nullptr)
    fail_at(name, base, keys_at, "storage '" + std::string(key) + "' is missing from the key list");

  LegacyStorage out;
  out.dtype = dtype;
  out.numel = numel;
  out.bytes = ByteBuffer{stream.owner, found, static_cast<size_t>(numel) * esize};
  const Value& view = *f[5];
  if (view.kind == Kind::Tuple && view.items.size() == 3 && is_int(view.items[1]) && is_int(view.items[2])) {
    // A view of the root storage: (view_key, offset, size) in elements.
    const int64_t offset = view.items[1]->integer;
    const int64_t count = view.items[2]->integer;
    if (offset < 0 || count < 0 || offset > numel || count > numel - offset) {
      fail_at(name, base, record_at,
              "storage view [" + std::to_string(offset) + ", +" + std::to_string(count) +
                  ") is outside its storage of " + std::to_string(numel) + " elements");
    }
    out.numel = count;
    out.bytes.data += static_cast<size_t>(offset) * esize;
    out.bytes.size = static_cast<size_t>(count) * esize;
  } else if (view.kind != Kind::None) {
    fail_at(name, base, record_at, "malformed storage view " + describe(view));
  }
  return out;
}

// --- tensors -------------------------------------------------------------------------------------------

TorchTensorDecoder::TorchTensorDecoder(ByteBuffer file, std::shared_ptr<const void> document_owner,
                                       std::string name)
    : file_(std::move(file)), document_owner_(std::move(document_owner)), name_(std::move(name)) {}

void TorchTensorDecoder::fail(const std::string& problem) const { throw InputError(name_, problem); }

bool TorchTensorDecoder::is_tensor_record(const Value& v) {
  return v.is_call_of("torch._utils", "_rebuild_parameter") ||
         v.is_call_of("torch._utils", "_rebuild_parameter_with_state") ||
         v.is_call_of("torch._utils", "_rebuild_tensor_v2") ||
         v.is_call_of("torch._utils", "_rebuild_tensor") ||
         v.is_call_of("torch._tensor", "_rebuild_from_type_v2");
}

RawTensor TorchTensorDecoder::tensor(const Value& v, const std::string& where) {
  const std::vector<Value*>& args = v.args();
  // Parameter(data, requires_grad, hooks[, state]) wraps a plain tensor record.
  if ((v.is_call_of("torch._utils", "_rebuild_parameter") && args.size() == 3) ||
      (v.is_call_of("torch._utils", "_rebuild_parameter_with_state") && args.size() == 4)) {
    const Value& data = *args[0];
    if (data.is_call_of("torch._utils", "_rebuild_tensor_v2") ||
        data.is_call_of("torch._utils", "_rebuild_tensor")) {
      return rebuild(data.args(), where);
    }
    fail("expected a tensor inside the parameter at " + where + ", found " + describe(data));
  }
  if ((v.is_call_of("torch._utils", "_rebuild_tensor_v2") && (args.size() == 6 || args.size() == 7)) ||
      (v.is_call_of("torch._utils", "_rebuild_tensor") && args.size() == 4)) {
    return rebuild(args, where);
  }
  // Tensor subclasses: _rebuild_from_type_v2(func, type, args, state) with func = _rebuild_tensor_v2.
  if (v.is_call_of("torch._tensor", "_rebuild_from_type_v2") && args.size() == 4 &&
      args[0]->is_global("torch._utils", "_rebuild_tensor_v2") && args[2]->kind == Kind::Tuple &&
      (args[2]->items.size() == 6 || args[2]->items.size() == 7)) {
    return rebuild(args[2]->items, where);
  }
  fail("expected a tensor at " + where + ", found " + describe(v));
}

RawTensor TorchTensorDecoder::rebuild(const std::vector<Value*>& args, const std::string& where) {
  // (storage, storage_offset, size, stride, ...): requires_grad and hooks carry nothing we need.
  const LegacyStorage& s = storage(*args[0], where);
  const Value& offset = *args[1];
  const Value& size = *args[2];
  const Value& stride = *args[3];
  auto int_sequence = [](const Value& seq, std::vector<int64_t>& out) {
    if (seq.kind != Kind::Tuple && seq.kind != Kind::List) return false;
    for (const Value* d : seq.items) {
      if (!is_int(d) || d->integer < 0) return false;
      out.push_back(d->integer);
    }
    return true;
  };
  RawTensor t;
  t.dtype = s.dtype;
  t.storage = s.bytes;
  if (!is_int(&offset) || offset.integer < 0 || !int_sequence(size, t.shape) ||
      !int_sequence(stride, t.strides) || t.shape.size() != t.strides.size()) {
    fail("malformed tensor record at " + where + " (storage offset, size or stride)");
  }
  t.offset = offset.integer;
  if (!t.in_bounds()) {
    fail("tensor at " + where + " (shape " + shape_string(t.shape) + ", stride " + shape_string(t.strides) +
         ", offset " + std::to_string(t.offset) + ") reaches outside its storage of " +
         std::to_string(s.numel) + " elements");
  }
  return t;
}

const LegacyStorage& TorchTensorDecoder::storage(const Value& v, const std::string& where) {
  if (const auto it = cache_.find(&v); it != cache_.end()) return it->second;
  const std::vector<Value*>& args = v.args();
  if (!v.is_call_of("torch.storage", "_load_from_bytes") || args.size() != 1 ||
      (args[0]->kind != Kind::Bytes && args[0]->kind != Kind::ByteArray)) {
    fail("expected a storage (torch.storage._load_from_bytes) for the tensor at " + where + ", found " +
         describe(v));
  }
  const std::string_view payload = args[0]->text;
  const auto* p = reinterpret_cast<const uint8_t*>(payload.data());
  ByteBuffer stream{document_owner_, p, payload.size()};
  size_t base = 0;
  std::string label = name_;
  const auto address = reinterpret_cast<uintptr_t>(p);
  const auto file_start = reinterpret_cast<uintptr_t>(file_.data);
  if (file_.data != nullptr && address >= file_start && address - file_start <= file_.size) {
    stream.owner = file_.owner;  // a view into the file: no copy
    base = static_cast<size_t>(address - file_start);
  } else {
    label += " (decoded storage bytes)";  // protocol-2 latin-1 text: offsets are inside the decoded bytes
  }
  try {
    return cache_.emplace(&v, decode_legacy_storage(stream, label, base)).first->second;
  } catch (const UnsupportedError& e) {
    throw UnsupportedError(std::string(e.what()) + " (storage of " + where + ")");
  } catch (const InputError& e) {
    throw InputError(std::string(e.what()) + " (storage of " + where + ")");
  }
}

}  // namespace stylescope::pickle
