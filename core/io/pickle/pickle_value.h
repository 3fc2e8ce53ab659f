#pragma once
// Plain data produced by the pickle reader (pickle_reader.h). Values live in a PickleDocument's arena and
// refer to each other with raw pointers: the memo can share one value between several parents and a list
// may even contain itself, so ownership stays with the document, never with a parent.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stylescope::pickle {

enum class Kind : uint8_t {
  None,
  Bool,
  Int,     // fits int64
  BigInt,  // does not fit int64; `text` holds minimal little-endian two's complement bytes
  Float,
  String,     // valid UTF-8 (py2 STRING/BINSTRING data is decoded as latin-1)
  Bytes,      // often a zero-copy view into the pickle buffer
  ByteArray,  // as Bytes (read-only here)
  Tuple,
  List,
  Dict,
  Set,
  FrozenSet,
  Global,        // a (module, name) reference from GLOBAL/STACK_GLOBAL; never imported
  Object,        // inert record of a call on anything but a whitelisted pure-data constructor
  PersistentId,  // PERSID/BINPERSID: items[0] is the pid; what it means is up to the caller
};

const char* kind_name(Kind kind);  // "None", "bool", "int", ..., Python-ish

// How an Object was made. The call is recorded, never performed.
enum class Construct : uint8_t { Reduce, NewObj, NewObjEx, Inst, Obj };

struct Value;
using ValueEntry = std::pair<Value*, Value*>;

struct ObjectData {
  Construct how = Construct::Reduce;
  Value* callable = nullptr;           // usually a Global
  Value* args = nullptr;               // always a Tuple
  Value* kwargs = nullptr;             // NEWOBJ_EX only
  Value* state = nullptr;              // argument of the last BUILD; nullptr when never built
  std::vector<Value*> list_items;      // APPEND/APPENDS/ADDITEMS applied to the object
  std::vector<ValueEntry> dict_items;  // SETITEM/SETITEMS applied to the object
};

struct Value {
  Kind kind = Kind::None;
  bool boolean = false;       // Bool
  int64_t integer = 0;        // Int
  double real = 0.0;          // Float
  std::string_view text;      // String/Bytes/ByteArray data, BigInt bytes, Global module
  std::string_view name;      // Global name
  std::vector<Value*> items;  // Tuple/List/Set/FrozenSet elements; PersistentId: {pid}
  // Dict entries in insertion order. Duplicate keys are kept (the reader does not hash keys); lookups
  // take the last one, which is the value Python's dict would hold.
  std::vector<ValueEntry> entries;
  ObjectData* object = nullptr;  // Object

  bool is_string(std::string_view s) const { return kind == Kind::String && text == s; }
  bool is_global(std::string_view module, std::string_view global_name) const {
    return kind == Kind::Global && text == module && name == global_name;
  }
  // The callable of an Object when it is a Global, else nullptr.
  const Value* callable_global() const;
  // True for an Object made by calling the global module.name.
  bool is_call_of(std::string_view module, std::string_view global_name) const;
  // Dict: the value of the last entry whose key is the string `key`; nullptr when absent or not a Dict.
  const Value* find(std::string_view key) const;
  // Object: its args tuple's elements (empty when there are none).
  const std::vector<Value*>& args() const;
};

// One-line description for error messages: "posix.system(...)", "a dict of 3 entries", "int 5", "str 'G'".
std::string describe(const Value& value);
// Decimal text of an Int or BigInt (very long BigInts are summarised by their size).
std::string int_to_decimal(const Value& value);

}  // namespace stylescope::pickle
