#include "core/io/pickle/pickle_reader.h"

#include "core/io/errors.h"
#include "core/io/pickle/pickle_machine.h"

namespace stylescope::pickle {

PickleDocument::PickleDocument(const uint8_t* data, size_t size, std::string name, size_t base_offset,
                               PickleLimits limits)
    : data_(data),
      size_(size),
      name_(std::move(name)),
      base_offset_(base_offset),
      budget_(limits.max_graph_bytes != 0 ? limits.max_graph_bytes : (size_t{256} << 20) + 2 * size) {
  none_.kind = Kind::None;
  true_.kind = Kind::Bool;
  true_.boolean = true;
  false_.kind = Kind::Bool;
  empty_tuple_.kind = Kind::Tuple;
}

PickleDocument::~PickleDocument() = default;

const Value* PickleDocument::load(size_t offset, size_t* end) {
  if (offset > size_) fail(size_, "pickle starts past the end of the data");
  PickleMachine machine(*this, offset);
  return machine.run(end);
}

void PickleDocument::fail(size_t offset, const std::string& problem) const {
  throw InputError(name_, "byte " + std::to_string(base_offset_ + offset) + ": " + problem);
}

void PickleDocument::charge(size_t bytes, size_t offset) {
  if (bytes > budget_) {
    fail(offset, "object graph exceeds the reader's memory limit (hostile or not a network pickle)");
  }
  budget_ -= bytes;
}

Value* PickleDocument::make(Kind kind, size_t offset) {
  charge(sizeof(Value), offset);
  Value& v = values_.emplace_back();
  v.kind = kind;
  return &v;
}

ObjectData* PickleDocument::make_object(size_t offset) {
  charge(sizeof(ObjectData), offset);
  return &objects_.emplace_back();
}

std::string_view PickleDocument::keep(std::string text, size_t offset) {
  charge(text.size() + sizeof(std::string), offset);
  return texts_.emplace_back(std::move(text));
}

}  // namespace stylescope::pickle
