#include "core/io/pickle/pickle_value.h"

#include <charconv>

#include "core/io/pickle/pickle_text.h"

namespace stylescope::pickle {

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::None:
      return "None";
    case Kind::Bool:
      return "bool";
    case Kind::Int:
    case Kind::BigInt:
      return "int";
    case Kind::Float:
      return "float";
    case Kind::String:
      return "str";
    case Kind::Bytes:
      return "bytes";
    case Kind::ByteArray:
      return "bytearray";
    case Kind::Tuple:
      return "tuple";
    case Kind::List:
      return "list";
    case Kind::Dict:
      return "dict";
    case Kind::Set:
      return "set";
    case Kind::FrozenSet:
      return "frozenset";
    case Kind::Global:
      return "global";
    case Kind::Object:
      return "object";
    case Kind::PersistentId:
      return "persistent id";
  }
  return "value";
}

const Value* Value::callable_global() const {
  if (kind != Kind::Object || object == nullptr || object->callable == nullptr) return nullptr;
  return object->callable->kind == Kind::Global ? object->callable : nullptr;
}

bool Value::is_call_of(std::string_view module, std::string_view global_name) const {
  const Value* g = callable_global();
  return g != nullptr && g->is_global(module, global_name);
}

const Value* Value::find(std::string_view key) const {
  if (kind != Kind::Dict) return nullptr;
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    if (it->first->is_string(key)) return it->second;
  }
  return nullptr;
}

const std::vector<Value*>& Value::args() const {
  static const std::vector<Value*> kEmpty;
  if (kind != Kind::Object || object == nullptr || object->args == nullptr) return kEmpty;
  return object->args->items;
}

namespace {

std::string quoted(std::string_view s) {
  constexpr size_t kMax = 40;
  std::string out = "'";
  for (char c : s.substr(0, kMax)) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      static const char* kHex = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  if (s.size() > kMax) out += "...";
  return out + "'";
}

std::string count(size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::string describe(const Value& v) {
  switch (v.kind) {
    case Kind::None:
      return "None";
    case Kind::Bool:
      return v.boolean ? "True" : "False";
    case Kind::Int:
    case Kind::BigInt:
      return "int " + int_to_decimal(v);
    case Kind::Float: {  // to_chars: shortest round-trip form, independent of the C locale
      char buf[32];
      const auto end = std::to_chars(buf, buf + sizeof buf, v.real).ptr;
      return "float " + std::string(buf, end);
    }
    case Kind::String:
      return "str " + quoted(v.text);
    case Kind::Bytes:
      return "bytes of length " + std::to_string(v.text.size());
    case Kind::ByteArray:
      return "bytearray of length " + std::to_string(v.text.size());
    case Kind::Tuple:
      return "a tuple of " + count(v.items.size(), "item", "items");
    case Kind::List:
      return "a list of " + count(v.items.size(), "item", "items");
    case Kind::Set:
      return "a set of " + count(v.items.size(), "item", "items");
    case Kind::FrozenSet:
      return "a frozenset of " + count(v.items.size(), "item", "items");
    case Kind::Dict:
      return "a dict of " + count(v.entries.size(), "entry", "entries");
    case Kind::Global:
      return "the global " + std::string(v.text) + "." + std::string(v.name);
    case Kind::PersistentId:
      return "a persistent id";
    case Kind::Object: {
      if (const Value* g = v.callable_global())
        return std::string(g->text) + "." + std::string(g->name) + "(...)";
      return "an object made by calling a " +
             std::string(v.object ? kind_name(v.object->callable->kind) : "value");
    }
  }
  return "a value";
}

std::string int_to_decimal(const Value& v) {
  if (v.kind == Kind::Int) return std::to_string(v.integer);
  if (v.kind != Kind::BigInt) return "?";
  if (v.text.size() > 2048) return "<" + std::to_string(v.text.size()) + "-byte integer>";
  return text::twos_complement_to_decimal(v.text);
}

}  // namespace stylescope::pickle
