#pragma once
// A safe pickle reader: a VM for every opcode of protocols 0-5 that builds a tree of plain data
// (pickle_value.h) and never imports or executes anything. GLOBAL is a (module, name) pair; REDUCE,
// NEWOBJ, BUILD, ... on it record an inert Object. Only a few pure-data constructors are interpreted
// (collections.OrderedDict, builtins.set/frozenset/bytearray/bytes/list/dict, _codecs.encode,
// copyreg._reconstructor/__newobj__/__newobj_ex__); posix.system & co. stay placeholders, never called.
// Malformed input throws stylescope::InputError "<name>: byte <offset>: <problem>".
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

#include "core/io/pickle/pickle_value.h"

namespace stylescope::pickle {

struct PickleLimits {
  // Memory the object graph may take (values, container slots, decoded text, stack pushes); 0 means
  // 256 MiB + 2 x the input size. A 400 MB network pickle needs ~10 MB (more in protocol 2, whose bytes
  // are decoded copies); the bound stops 1-byte-opcode bombs long before memory runs out.
  size_t max_graph_bytes = 0;
};

class PickleMachine;

class PickleDocument {
 public:
  // `data` must outlive the document and every value it hands out: Bytes/String values view into it.
  // `name` and `base_offset` only label errors ("<name>: byte <base_offset + offset>: ...").
  PickleDocument(const uint8_t* data, size_t size, std::string name, size_t base_offset = 0,
                 PickleLimits limits = {});
  PickleDocument(const PickleDocument&) = delete;
  PickleDocument& operator=(const PickleDocument&) = delete;
  ~PickleDocument();

  // Runs one pickle from `offset` up to its STOP with a fresh stack and memo (like one pickle.load call)
  // and returns the top-level value; `*end`, when given, receives the offset just past STOP. Bytes after
  // STOP are not looked at, so consecutive pickles are read by calling load() again at *end.
  const Value* load(size_t offset = 0, size_t* end = nullptr);

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& name() const { return name_; }
  size_t base_offset() const { return base_offset_; }
  // Throws InputError "<name>: byte <base_offset + offset>: <problem>".
  [[noreturn]] void fail(size_t offset, const std::string& problem) const;

 private:
  friend class PickleMachine;
  Value* make(Kind kind, size_t offset);
  ObjectData* make_object(size_t offset);
  std::string_view keep(std::string text, size_t offset);  // owned text (decoded strings, big ints)
  void charge(size_t bytes, size_t offset);

  const uint8_t* data_;
  size_t size_;
  std::string name_;
  size_t base_offset_;
  size_t budget_;
  // deques never move their elements, so Value* and views into kept strings stay valid.
  std::deque<Value> values_;
  std::deque<ObjectData> objects_;
  std::deque<std::string> texts_;
  Value none_, true_, false_, empty_tuple_;  // shared immutable singletons
};

}  // namespace stylescope::pickle
