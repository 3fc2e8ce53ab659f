#pragma once
// The unpickling VM behind PickleDocument::load. Internal to core/io/pickle: the opcode loop lives in
// pickle_machine.cpp, the container and object-building opcodes (TUPLE, APPENDS, REDUCE, NEWOBJ, BUILD,
// ...) and the whitelist of pure-data constructors in pickle_construct.cpp, scalar values and the
// text-argument opcodes of protocol 0 in pickle_scalars.cpp.
#include <string>
#include <unordered_map>
#include <vector>

#include "core/io/pickle/pickle_reader.h"

namespace stylescope::pickle {

namespace op {
// Opcode bytes, named as in pickletools.
enum : uint8_t {
  MARK = '(',
  STOP = '.',
  POP = '0',
  POP_MARK = '1',
  DUP = '2',
  FLOAT = 'F',
  INT = 'I',
  BININT = 'J',
  BININT1 = 'K',
  LONG = 'L',
  BININT2 = 'M',
  NONE = 'N',
  PERSID = 'P',
  BINPERSID = 'Q',
  REDUCE = 'R',
  STRING = 'S',
  BINSTRING = 'T',
  SHORT_BINSTRING = 'U',
  UNICODE = 'V',
  BINUNICODE = 'X',
  APPEND = 'a',
  BUILD = 'b',
  GLOBAL = 'c',
  DICT = 'd',
  EMPTY_DICT = '}',
  APPENDS = 'e',
  GET = 'g',
  BINGET = 'h',
  INST = 'i',
  LONG_BINGET = 'j',
  LIST = 'l',
  EMPTY_LIST = ']',
  OBJ = 'o',
  PUT = 'p',
  BINPUT = 'q',
  LONG_BINPUT = 'r',
  SETITEM = 's',
  TUPLE = 't',
  EMPTY_TUPLE = ')',
  SETITEMS = 'u',
  BINFLOAT = 'G',
  PROTO = 0x80,
  NEWOBJ = 0x81,
  EXT1 = 0x82,
  EXT2 = 0x83,
  EXT4 = 0x84,
  TUPLE1 = 0x85,
  TUPLE2 = 0x86,
  TUPLE3 = 0x87,
  NEWTRUE = 0x88,
  NEWFALSE = 0x89,
  LONG1 = 0x8a,
  LONG4 = 0x8b,
  BINBYTES = 'B',
  SHORT_BINBYTES = 'C',
  SHORT_BINUNICODE = 0x8c,
  BINUNICODE8 = 0x8d,
  BINBYTES8 = 0x8e,
  EMPTY_SET = 0x8f,
  ADDITEMS = 0x90,
  FROZENSET = 0x91,
  NEWOBJ_EX = 0x92,
  STACK_GLOBAL = 0x93,
  MEMOIZE = 0x94,
  FRAME = 0x95,
  BYTEARRAY8 = 0x96,
  NEXT_BUFFER = 0x97,
  READONLY_BUFFER = 0x98,
};
}  // namespace op

class PickleMachine {
 public:
  PickleMachine(PickleDocument& doc, size_t offset) : doc_(doc), pos_(offset), op_start_(offset) {}
  Value* run(size_t* end);

 private:
  // --- input ---
  [[noreturn]] void fail(const std::string& problem) const { doc_.fail(op_start_, problem); }
  const uint8_t* take(uint64_t n, const char* what);
  uint64_t read_uint(size_t n, const char* what);  // little-endian
  std::string_view read_bytes(uint64_t n, const char* what);
  std::string_view read_line(const char* what);
  void check_length(uint64_t n, const char* what) const;

  // --- stack, marks and memo (the Python Unpickler's stack/metastack/memo) ---
  size_t fence() const { return marks_.empty() ? 0 : marks_.back(); }
  void push(Value* v);
  Value* pop(const char* what);
  Value* top(const char* what);
  size_t pop_mark(const char* what);  // index of the first item above the mark
  std::vector<Value*> take_marked(const char* what);
  void memo_put(uint64_t index);
  void memo_get(uint64_t index);

  // --- values (pickle_scalars.cpp) ---
  Value* make(Kind kind) { return doc_.make(kind, op_start_); }
  Value* make_text(Kind kind, std::string_view view) {
    Value* v = make(kind);
    v->text = view;
    return v;
  }
  Value* make_int(std::string_view literal);
  Value* make_long_binary(std::string_view bytes);
  Value* make_utf8(std::string_view bytes);
  Value* make_py2_string(std::string_view bytes);
  Value* make_tuple(std::vector<Value*> items);
  Value* make_global(std::string_view module, std::string_view name);
  void append_to(std::vector<Value*>& items, const std::vector<Value*>& more);
  void append_to(std::vector<ValueEntry>& entries, const std::vector<Value*>& flat_pairs);

  // --- object building (pickle_construct.cpp) ---
  Value* call(Construct how, Value* callable, Value* args, Value* kwargs);
  Value* call_whitelisted(Construct how, const Value& global, Value* args);
  Value* call_copyreg(std::string_view name, const std::vector<Value*>& args);
  Value* placeholder(Construct how, Value* callable, Value* args, Value* kwargs);
  Value* encode_text(Kind kind, const Value& str, const Value* encoding);
  void build(Value* target, Value* state);
  void append_items(Value* target, const std::vector<Value*>& items);
  void set_items(Value* target, const std::vector<Value*>& flat_pairs);
  void add_items(Value* target, const std::vector<Value*>& items);

  // --- opcode groups (step: pickle_machine.cpp; text: pickle_scalars.cpp; others: pickle_construct.cpp)
  bool step(uint8_t op);  // false at STOP
  void op_text_argument(uint8_t op);
  void op_containers(uint8_t op);
  void op_objects(uint8_t op);

  PickleDocument& doc_;
  size_t pos_;
  size_t op_start_;  // offset of the opcode being run, for errors
  std::vector<Value*> stack_;
  std::vector<size_t> marks_;
  // A hash map, not a vector: LONG_BINPUT may name index 4e9 and must not allocate 4e9 slots.
  std::unordered_map<uint64_t, Value*> memo_;
  Value* result_ = nullptr;
};

}  // namespace stylescope::pickle
