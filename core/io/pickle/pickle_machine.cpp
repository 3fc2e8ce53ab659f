// The opcode loop. Semantics follow CPython's pickle.py/_pickle.c (protocols 0-5), with every length
// checked against the remaining input before anything is allocated.
#include <cstring>

#include "core/io/pickle/pickle_machine.h"
#include "core/io/pickle/pickle_text.h"

namespace stylescope::pickle {

using namespace op;

namespace {

constexpr int kHighestProtocol = 5;

std::string hex_byte(uint8_t b) {
  static const char* kHex = "0123456789abcdef";
  return std::string("0x") + kHex[b >> 4] + kHex[b & 15];
}

}  // namespace

// --- input -------------------------------------------------------------------------------------------

void PickleMachine::check_length(uint64_t n, const char* what) const {
  const uint64_t left = doc_.size() - pos_;
  if (n > left) {
    fail(std::string("truncated ") + what + " (needs " + std::to_string(n) + " bytes, " +
         std::to_string(left) + " left)");
  }
}

const uint8_t* PickleMachine::take(uint64_t n, const char* what) {
  check_length(n, what);
  const uint8_t* p = doc_.data() + pos_;
  pos_ += static_cast<size_t>(n);
  return p;
}

uint64_t PickleMachine::read_uint(size_t n, const char* what) {
  const uint8_t* p = take(n, what);
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

std::string_view PickleMachine::read_bytes(uint64_t n, const char* what) {
  const uint8_t* p = take(n, what);
  return {reinterpret_cast<const char*>(p), static_cast<size_t>(n)};
}

std::string_view PickleMachine::read_line(const char* what) {
  const auto* begin = reinterpret_cast<const char*>(doc_.data() + pos_);
  const size_t left = doc_.size() - pos_;
  const void* nl = std::memchr(begin, '\n', left);
  if (nl == nullptr) fail(std::string("truncated ") + what + " argument (no end of line)");
  const size_t len = static_cast<size_t>(static_cast<const char*>(nl) - begin);
  pos_ += len + 1;
  return {begin, len};
}

// --- stack, marks, memo --------------------------------------------------------------------------------

void PickleMachine::push(Value* v) {
  doc_.charge(sizeof(Value*), op_start_);
  stack_.push_back(v);
}

Value* PickleMachine::pop(const char* what) {
  if (stack_.size() <= fence()) fail(std::string("stack underflow in ") + what);
  Value* v = stack_.back();
  stack_.pop_back();
  return v;
}

Value* PickleMachine::top(const char* what) {
  if (stack_.size() <= fence()) fail(std::string("stack underflow in ") + what);
  return stack_.back();
}

size_t PickleMachine::pop_mark(const char* what) {
  if (marks_.empty()) fail(std::string(what) + " without a MARK");
  const size_t start = marks_.back();
  marks_.pop_back();
  return start;
}

std::vector<Value*> PickleMachine::take_marked(const char* what) {
  const size_t start = pop_mark(what);
  std::vector<Value*> items(stack_.begin() + static_cast<std::ptrdiff_t>(start), stack_.end());
  stack_.resize(start);
  return items;
}

void PickleMachine::memo_put(uint64_t index) {
  Value* v = top("PUT");
  doc_.charge(4 * sizeof(void*), op_start_);
  memo_[index] = v;
}

void PickleMachine::memo_get(uint64_t index) {
  const auto it = memo_.find(index);
  if (it == memo_.end()) fail("memo key " + std::to_string(index) + " not found");
  push(it->second);
}

// --- the loop ----------------------------------------------------------------------------------------------

Value* PickleMachine::run(size_t* end) {
  for (;;) {
    op_start_ = pos_;
    if (pos_ >= doc_.size()) fail("pickle data ends before STOP");
    const uint8_t op = doc_.data()[pos_++];
    if (!step(op)) break;
  }
  if (end != nullptr) *end = pos_;
  return result_;
}

bool PickleMachine::step(uint8_t op) {
  switch (op) {
    case PROTO: {
      const uint64_t proto = read_uint(1, "PROTO");
      if (proto > kHighestProtocol) fail("unsupported pickle protocol " + std::to_string(proto));
      return true;
    }
    case FRAME:  // a size hint; like _pickle.c we only check that the frame is there
      check_length(read_uint(8, "FRAME"), "FRAME");
      return true;
    case STOP:
      result_ = pop("STOP");
      return false;
    case MARK:
      doc_.charge(sizeof(size_t), op_start_);
      marks_.push_back(stack_.size());
      return true;
    case POP:  // with nothing above the latest MARK, POP drops the MARK (as both Python unpicklers do)
      if (!marks_.empty() && marks_.back() == stack_.size()) {
        marks_.pop_back();
      } else {
        pop("POP");
      }
      return true;
    case POP_MARK:
      stack_.resize(pop_mark("POP_MARK"));
      return true;
    case DUP:
      push(top("DUP"));
      return true;
    case NONE:
      push(&doc_.none_);
      return true;
    case NEWTRUE:
      push(&doc_.true_);
      return true;
    case NEWFALSE:
      push(&doc_.false_);
      return true;
    case BININT: {
      const auto raw = static_cast<uint32_t>(read_uint(4, "BININT"));
      int32_t v;
      std::memcpy(&v, &raw, 4);
      Value* value = make(Kind::Int);
      value->integer = v;
      push(value);
      return true;
    }
    case BININT1:
    case BININT2: {
      Value* value = make(Kind::Int);
      value->integer = static_cast<int64_t>(read_uint(op == BININT1 ? 1 : 2, "BININT"));
      push(value);
      return true;
    }
    case LONG1:
      push(make_long_binary(read_bytes(read_uint(1, "LONG1"), "LONG1")));
      return true;
    case LONG4: {
      const uint64_t n = read_uint(4, "LONG4");
      if (n >= 0x80000000u) fail("LONG4 with a negative byte count");
      push(make_long_binary(read_bytes(n, "LONG4")));
      return true;
    }
    case BINFLOAT: {
      const uint8_t* p = take(8, "BINFLOAT");
      uint64_t bits = 0;
      for (int i = 0; i < 8; ++i) bits = (bits << 8) | p[i];  // big-endian
      Value* value = make(Kind::Float);
      std::memcpy(&value->real, &bits, 8);
      push(value);
      return true;
    }
    case BINSTRING: {
      const uint64_t n = read_uint(4, "BINSTRING");
      if (n >= 0x80000000u) fail("BINSTRING with a negative length");
      push(make_py2_string(read_bytes(n, "BINSTRING")));
      return true;
    }
    case SHORT_BINSTRING:
      push(make_py2_string(read_bytes(read_uint(1, "SHORT_BINSTRING"), "SHORT_BINSTRING")));
      return true;
    case BINUNICODE:
      push(make_utf8(read_bytes(read_uint(4, "BINUNICODE"), "BINUNICODE")));
      return true;
    case SHORT_BINUNICODE:
      push(make_utf8(read_bytes(read_uint(1, "SHORT_BINUNICODE"), "SHORT_BINUNICODE")));
      return true;
    case BINUNICODE8:
      push(make_utf8(read_bytes(read_uint(8, "BINUNICODE8"), "BINUNICODE8")));
      return true;
    case BINBYTES:
      push(make_text(Kind::Bytes, read_bytes(read_uint(4, "BINBYTES"), "BINBYTES")));
      return true;
    case SHORT_BINBYTES:
      push(make_text(Kind::Bytes, read_bytes(read_uint(1, "SHORT_BINBYTES"), "SHORT_BINBYTES")));
      return true;
    case BINBYTES8:
      push(make_text(Kind::Bytes, read_bytes(read_uint(8, "BINBYTES8"), "BINBYTES8")));
      return true;
    case BYTEARRAY8:
      push(make_text(Kind::ByteArray, read_bytes(read_uint(8, "BYTEARRAY8"), "BYTEARRAY8")));
      return true;
    case NEXT_BUFFER:
      fail("NEXT_BUFFER refers to an out-of-band buffer (protocol 5) and none is supplied");
    case READONLY_BUFFER:
      fail("READONLY_BUFFER: out-of-band buffers (protocol 5) are not supported");
    case EXT1:
    case EXT2:
    case EXT4:
      fail("EXT" +
           std::string(op == EXT1   ? "1"
                       : op == EXT2 ? "2"
                                    : "4") +
           ": extension registry codes are not supported (no registry)");
    case BINPUT:
      memo_put(read_uint(1, "BINPUT"));
      return true;
    case LONG_BINPUT:
      memo_put(read_uint(4, "LONG_BINPUT"));
      return true;
    case MEMOIZE:
      memo_put(memo_.size());
      return true;
    case BINGET:
      memo_get(read_uint(1, "BINGET"));
      return true;
    case LONG_BINGET:
      memo_get(read_uint(4, "LONG_BINGET"));
      return true;
    case BINPERSID: {
      Value* pid = pop("BINPERSID");
      Value* v = make(Kind::PersistentId);
      append_to(v->items, {pid});
      push(v);
      return true;
    }
    case STACK_GLOBAL: {
      Value* name = pop("STACK_GLOBAL");
      Value* module = pop("STACK_GLOBAL");
      if (module->kind != Kind::String || name->kind != Kind::String)
        fail("STACK_GLOBAL requires two strings");
      push(make_global(module->text, name->text));
      return true;
    }
    case INT:
    case LONG:
    case FLOAT:
    case STRING:
    case UNICODE:
    case GLOBAL:
    case INST:
    case PERSID:
    case PUT:
    case GET:
      op_text_argument(op);
      return true;
    case EMPTY_TUPLE:
    case TUPLE:
    case TUPLE1:
    case TUPLE2:
    case TUPLE3:
    case EMPTY_LIST:
    case LIST:
    case APPEND:
    case APPENDS:
    case EMPTY_DICT:
    case DICT:
    case SETITEM:
    case SETITEMS:
    case EMPTY_SET:
    case ADDITEMS:
    case FROZENSET:
      op_containers(op);
      return true;
    case REDUCE:
    case BUILD:
    case NEWOBJ:
    case NEWOBJ_EX:
    case OBJ:
      op_objects(op);
      return true;
    default:
      fail("unknown opcode " + hex_byte(op));
  }
}

}  // namespace stylescope::pickle
