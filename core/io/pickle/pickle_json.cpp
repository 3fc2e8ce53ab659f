#include "core/io/pickle/pickle_json.h"

#include <algorithm>
#include <cstring>

#include "core/io/errors.h"
#include "core/io/pickle/pickle_text.h"
#include "core/io/raw_tensor.h"

namespace stylescope::pickle {
namespace {

// Shared references may turn a small pickle into a huge tree (a list holding the same list twice, 100
// levels deep); both bounds keep the conversion linear in what it produces.
constexpr int kMaxDepth = 100;
constexpr size_t kMaxNodes = 100'000;  // network attributes and kwargs have ~50

template <typename T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

bool is_numpy_call(const Value& v, std::string_view name) {
  return v.is_call_of("numpy.core.multiarray", name) || v.is_call_of("numpy._core.multiarray", name) ||
         v.is_call_of("numpy", name);
}

class Converter {
 public:
  Converter(const std::string& file, JsonMode mode) : file_(file), mode_(mode) {}

  nlohmann::json convert(const Value& v, const std::string& where, int depth) {
    if (depth > kMaxDepth)
      return not_plain("data nested deeper than " + std::to_string(kMaxDepth) + " levels", where);
    if (++nodes_ > kMaxNodes) return not_plain("more than " + std::to_string(kMaxNodes) + " values", where);
    switch (v.kind) {
      case Kind::None:
        return nullptr;
      case Kind::Bool:
        return v.boolean;
      case Kind::Int:
        return v.integer;
      case Kind::Float:
        return v.real;
      case Kind::String:
        return std::string(v.text);
      case Kind::BigInt:
        // 2^63 .. 2^64-1 still fit JSON's unsigned integers.
        if (v.text.size() == 9 && v.text[8] == 0) {
          uint64_t u = 0;
          for (int i = 0; i < 8; ++i) u |= static_cast<uint64_t>(static_cast<uint8_t>(v.text[i])) << (8 * i);
          return u;
        }
        return not_plain("an integer too large for JSON (" + int_to_decimal(v) + ")", where);
      case Kind::Tuple:
      case Kind::List:
      case Kind::Set:
      case Kind::FrozenSet:
        return array(v.items, where, depth);
      case Kind::Dict:
        return object(v.entries, where, depth);
      case Kind::Object: {
        if (v.is_call_of("dnnlib.util", "EasyDict") || v.is_call_of("dnnlib", "EasyDict")) {
          return object(v.object->dict_items, where, depth);
        }
        nlohmann::json number;
        try {
          if (numpy_scalar_to_json(v, file_, where, number)) return number;
        } catch (const InputError&) {
          if (mode_ == JsonMode::Strict) throw;
          return "<malformed numpy scalar>";
        }
        return not_plain(describe(v), where);
      }
      default:
        return not_plain(describe(v), where);
    }
  }

 private:
  nlohmann::json not_plain(const std::string& what, const std::string& where) {
    if (mode_ == JsonMode::Lenient) return "<" + what + ">";
    throw InputError(file_, "expected plain data at " + where + ", found " + what);
  }

  nlohmann::json array(const std::vector<Value*>& items, const std::string& where, int depth) {
    nlohmann::json out = nlohmann::json::array();
    for (size_t i = 0; i < items.size(); ++i) {
      out.push_back(convert(*items[i], where + "[" + std::to_string(i) + "]", depth + 1));
    }
    return out;
  }

  nlohmann::json object(const std::vector<ValueEntry>& entries, const std::string& where, int depth) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, value] : entries) {
      std::string name;
      switch (key->kind) {
        case Kind::String:
          name = std::string(key->text);
          break;
        case Kind::Int:
        case Kind::BigInt:
          name = int_to_decimal(*key);
          break;
        case Kind::Bool:
          name = key->boolean ? "True" : "False";
          break;
        case Kind::None:
          name = "None";
          break;
        default:
          name = not_plain("a dict key that is " + describe(*key), where).get<std::string>();
      }
      out[name] =
          convert(*value, where + "." + name, depth + 1);  // duplicate keys: the last wins, as in Python
    }
    return out;
  }

  const std::string& file_;
  JsonMode mode_;
  size_t nodes_ = 0;
};

}  // namespace

nlohmann::json to_json(const Value& value, const std::string& file, const std::string& where, JsonMode mode) {
  return Converter(file, mode).convert(value, where, 0);
}

bool numpy_scalar_to_json(const Value& v, const std::string& file, const std::string& where,
                          nlohmann::json& out) {
  if (!is_numpy_call(v, "scalar")) return false;
  auto fail = [&](const std::string& problem) -> InputError {
    return InputError(file, "malformed numpy scalar at " + where + ": " + problem);
  };
  const std::vector<Value*>& args = v.args();
  if (args.size() != 2) throw fail("expected (dtype, bytes)");
  // numpy.dtype('f8', False, True) with BUILD state (3, '<', ...): the code and the byte order.
  const Value& dtype = *args[0];
  if (!is_numpy_call(dtype, "dtype") || dtype.args().empty() || dtype.args()[0]->kind != Kind::String) {
    throw fail("dtype is " + describe(dtype));
  }
  const std::string_view code = dtype.args()[0]->text;
  bool big_endian = false;
  if (const Value* state = dtype.object->state;
      state != nullptr && state->kind == Kind::Tuple && state->items.size() > 1) {
    big_endian = state->items[1]->is_string(">");
  }
  std::string bytes;
  const Value& data = *args[1];
  if (data.kind == Kind::Bytes || data.kind == Kind::ByteArray) {
    bytes.assign(data.text);
  } else if (data.kind != Kind::String || !text::utf8_to_latin1(data.text, bytes)) {  // py2 str payload
    throw fail("data is " + describe(data));
  }
  static const std::pair<std::string_view, DType> kCodes[] = {
      {"f2", DType::Float16}, {"f4", DType::Float32}, {"f8", DType::Float64},
      {"i1", DType::Int8},    {"i2", DType::Int16},   {"i4", DType::Int32},
      {"i8", DType::Int64},   {"u1", DType::UInt8},   {"b1", DType::Bool},
  };
  const auto* entry =
      std::find_if(std::begin(kCodes), std::end(kCodes), [&](const auto& e) { return e.first == code; });
  if (entry == std::end(kCodes)) throw fail("unsupported dtype '" + std::string(code) + "'");
  if (bytes.size() != dtype_size(entry->second))
    throw fail("expected " + std::to_string(dtype_size(entry->second)) + " bytes");
  if (big_endian) std::reverse(bytes.begin(), bytes.end());
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  switch (entry->second) {
    case DType::Bool:
      out = p[0] != 0;
      break;
    case DType::Float64:
      out = load<double>(p);
      break;
    case DType::Float32:
      out = static_cast<double>(load<float>(p));
      break;
    case DType::Int64:
      out = load<int64_t>(p);
      break;
    case DType::Int32:
      out = load<int32_t>(p);
      break;
    case DType::Int16:
      out = load<int16_t>(p);
      break;
    case DType::Int8:
      out = load<int8_t>(p);
      break;
    case DType::UInt8:
      out = p[0];
      break;
    default: {  // Float16: reuse RawTensor's conversion
      RawTensor t;
      t.dtype = entry->second;
      t.storage = ByteBuffer{nullptr, p, bytes.size()};
      out = static_cast<double>(t.to_float32()[0]);
    }
  }
  return true;
}

}  // namespace stylescope::pickle
