#include "core/io/safetensors.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/io/errors.h"
#include "core/util/atomic_file.h"

namespace stylescope {
namespace {

using Json = nlohmann::ordered_json;

// The reference implementation's limit (safetensors MAX_HEADER_SIZE).
constexpr uint64_t kMaxHeaderSize = 100'000'000;

constexpr std::pair<DType, const char*> kDTypeNames[] = {
    {DType::Float32, "F32"}, {DType::Float16, "F16"}, {DType::BFloat16, "BF16"}, {DType::Float64, "F64"},
    {DType::Int64, "I64"},   {DType::Int32, "I32"},   {DType::Int16, "I16"},     {DType::Int8, "I8"},
    {DType::UInt8, "U8"},    {DType::Bool, "BOOL"},
};

bool parse_dtype(const std::string& text, DType& dtype) {
  for (const auto& [value, name] : kDTypeNames) {
    if (text == name) {
      dtype = value;
      return true;
    }
  }
  return false;
}

std::string in_quotes(const std::string& name) { return "'" + name + "'"; }

std::string range_string(uint64_t begin, uint64_t end) {
  return "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
}

// nlohmann prefixes its messages with "[json.exception.parse_error.101] "; keep the readable part.
std::string json_message(const std::exception& e) {
  std::string what = e.what();
  const size_t bracket = what.find("] ");
  return what.rfind("[json.exception", 0) == 0 && bracket != std::string::npos ? what.substr(bracket + 2)
                                                                               : what;
}

Json parse_header(const char* text, size_t size, const std::string& file) {
  if (size == 0 || text[0] != '{') throw InputError(file, "safetensors header is not a JSON object");
  // A callback catches duplicate top-level keys, which plain parsing would silently merge.
  std::set<std::string> names;
  std::string duplicate;
  auto callback = [&](int depth, Json::parse_event_t event, Json& parsed) {
    if (event == Json::parse_event_t::key && depth == 1 && !names.insert(parsed.get<std::string>()).second) {
      duplicate = parsed.get<std::string>();
    }
    return true;
  };
  Json header;
  try {
    header = Json::parse(text, text + size, callback);
  } catch (const Json::exception& e) {
    throw InputError(file, "safetensors header is not valid JSON: " + json_message(e));
  }
  if (!header.is_object()) throw InputError(file, "safetensors header is not a JSON object");
  if (!duplicate.empty())
    throw InputError(file, "safetensors header names " + in_quotes(duplicate) + " twice");
  return header;
}

std::map<std::string, std::string> parse_metadata(const Json& value, const std::string& file) {
  if (!value.is_object()) throw InputError(file, "__metadata__ is not a JSON object");
  std::map<std::string, std::string> metadata;
  for (const auto& [key, item] : value.items()) {
    if (!item.is_string()) {
      throw InputError(file, "__metadata__ value for " + in_quotes(key) + " is " + item.type_name() +
                                 ", expected a string");
    }
    metadata[key] = item.get<std::string>();
  }
  return metadata;
}

struct Entry {
  std::string name;
  DType dtype = DType::Float32;
  std::vector<int64_t> shape;
  uint64_t begin = 0;
  uint64_t end = 0;
};

bool is_uint_array(const Json& value) {
  return value.is_array() &&
         std::all_of(value.begin(), value.end(), [](const Json& v) { return v.is_number_unsigned(); });
}

Entry parse_entry(const std::string& name, const Json& info, const std::string& file) {
  const std::string where = "tensor " + in_quotes(name) + ": ";
  if (!info.is_object()) throw InputError(file, where + "expected a JSON object, found " + info.type_name());
  Entry entry;
  entry.name = name;
  const auto dtype = info.find("dtype");
  if (dtype == info.end() || !dtype->is_string()) throw InputError(file, where + "missing string \"dtype\"");
  if (!parse_dtype(dtype->get<std::string>(), entry.dtype)) {
    throw InputError(file, where + "unsupported dtype " + in_quotes(dtype->get<std::string>()));
  }
  const auto shape = info.find("shape");
  if (shape == info.end() || !is_uint_array(*shape)) {
    throw InputError(file, where + "\"shape\" is not a list of non-negative integers");
  }
  for (const Json& d : *shape) {
    if (d.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
      throw InputError(file, where + "shape is too large");
    entry.shape.push_back(d.get<int64_t>());
  }
  const auto offsets = info.find("data_offsets");
  if (offsets == info.end() || !is_uint_array(*offsets) || offsets->size() != 2) {
    throw InputError(file, where + "\"data_offsets\" is not a pair of non-negative integers");
  }
  entry.begin = (*offsets)[0].get<uint64_t>();
  entry.end = (*offsets)[1].get<uint64_t>();
  if (entry.end < entry.begin) {
    throw InputError(
        file, where + "data_offsets " + range_string(entry.begin, entry.end) + " end before they begin");
  }
  return entry;
}

// The reference reader requires the tensors, sorted by offset, to tile the data section exactly.
void check_layout(const std::vector<Entry>& entries, uint64_t data_size, const std::string& file) {
  uint64_t expected = 0;
  const Entry* previous = nullptr;
  for (const Entry& e : entries) {
    const std::string where =
        "tensor " + in_quotes(e.name) + ": data_offsets " + range_string(e.begin, e.end);
    if (e.begin < expected) {
      throw InputError(file, where + " overlap tensor " + in_quotes(previous->name) + " " +
                                 range_string(previous->begin, previous->end));
    }
    if (e.begin > expected) {
      throw InputError(
          file, where + " leave a gap: bytes " + range_string(expected, e.begin) + " belong to no tensor");
    }
    int64_t numel = 0;
    if (!checked_numel(e.shape, dtype_size(e.dtype), numel)) {
      throw InputError(file,
                       "tensor " + in_quotes(e.name) + ": shape " + shape_string(e.shape) + " is too large");
    }
    const uint64_t needed = static_cast<uint64_t>(numel) * dtype_size(e.dtype);
    if (e.end - e.begin != needed) {
      throw InputError(file, where + " hold " + std::to_string(e.end - e.begin) + " bytes but " +
                                 safetensors_dtype_name(e.dtype) + " " + shape_string(e.shape) + " needs " +
                                 std::to_string(needed));
    }
    if (e.end > data_size) {
      throw InputError(file, "truncated: " + where + " reach past the end of the data (" +
                                 std::to_string(data_size) + " bytes)");
    }
    expected = e.end;
    previous = &e;
  }
  if (expected != data_size) {
    throw InputError(file, std::to_string(data_size - expected) + " bytes after the last tensor's data");
  }
}

}  // namespace

const char* safetensors_dtype_name(DType dtype) {
  for (const auto& [value, name] : kDTypeNames) {
    if (value == dtype) return name;
  }
  return "?";
}

const RawTensor* SafetensorsFile::find(const std::string& name) const {
  for (const auto& [tensor_name, tensor] : tensors) {
    if (tensor_name == name) return &tensor;
  }
  return nullptr;
}

SafetensorsFile parse_safetensors(const ByteBuffer& bytes, const std::string& name) {
  if (bytes.size < 8) {
    throw InputError(name,
                     "not a safetensors file: " + std::to_string(bytes.size) + " bytes, expected at least 8");
  }
  uint64_t header_size = 0;
  for (int i = 7; i >= 0; --i) header_size = (header_size << 8) | bytes.data[i];
  if (header_size > kMaxHeaderSize) {
    throw InputError(name, "safetensors header length " + std::to_string(header_size) +
                               " exceeds the limit (" + std::to_string(kMaxHeaderSize) + ")");
  }
  if (header_size > bytes.size - 8) {
    throw InputError(name, "truncated: safetensors header length " + std::to_string(header_size) + " needs " +
                               std::to_string(header_size + 8) + " bytes, the file has " +
                               std::to_string(bytes.size));
  }
  const Json header = parse_header(reinterpret_cast<const char*>(bytes.data) + 8, header_size, name);

  SafetensorsFile file;
  std::vector<Entry> entries;
  for (const auto& [key, value] : header.items()) {
    if (key == "__metadata__") {
      file.metadata = parse_metadata(value, name);
    } else {
      entries.push_back(parse_entry(key, value, name));
    }
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  const uint64_t data_start = 8 + header_size;
  check_layout(entries, bytes.size - data_start, name);

  for (Entry& e : entries) {
    RawTensor tensor;
    tensor.dtype = e.dtype;
    tensor.shape = std::move(e.shape);
    tensor.storage = sub_buffer(bytes, data_start + e.begin, e.end - e.begin);
    file.tensors.emplace_back(std::move(e.name), std::move(tensor));
  }
  return file;
}

SafetensorsFile read_safetensors(const std::string& path) { return parse_safetensors(read_file(path), path); }

void write_safetensors(const std::string& path, const std::map<std::string, std::string>& metadata,
                       const std::vector<std::pair<std::string, TensorRef>>& tensors) {
  Json header = Json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    if (name == "__metadata__") throw std::invalid_argument("write_safetensors: '__metadata__' is reserved");
    if (header.contains(name))
      throw std::invalid_argument("write_safetensors: duplicate tensor " + in_quotes(name));
    const uint64_t size = tensor.nbytes();
    if (size > 0 && tensor.data == nullptr)
      throw std::invalid_argument("write_safetensors: null data for " + in_quotes(name));
    header[name] = {{"dtype", safetensors_dtype_name(tensor.dtype)},
                    {"shape", tensor.shape},
                    {"data_offsets", {offset, offset + size}}};
    offset += size;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const Json::type_error& e) {  // strings that are not UTF-8
    throw InputError(path, "cannot write: " + json_message(e));
  }
  text.append((8 - text.size() % 8) % 8, ' ');

  write_file_atomic(path, [&](OutputFile& out) {
    uint8_t length[8];
    for (int i = 0; i < 8; ++i)
      length[i] = static_cast<uint8_t>(static_cast<uint64_t>(text.size()) >> (8 * i));
    out.write(length, 8);
    out.write(text);
    for (const auto& entry : tensors) out.write(entry.second.data, entry.second.nbytes());
  });
}

}  // namespace stylescope
