// Scalar values and the text-argument opcodes of protocol 0 (INT, LONG, FLOAT, STRING, UNICODE, GLOBAL,
// INST, PERSID, PUT, GET).
#include "core/io/pickle/pickle_machine.h"
#include "core/io/pickle/pickle_text.h"

namespace stylescope::pickle {

using namespace op;

// --- values ----------------------------------------------------------------------------------------------

Value* PickleMachine::make_int(std::string_view literal) {
  text::ParsedInt parsed;
  std::string error;
  if (!text::parse_int(literal, parsed, error)) fail(error);
  if (!parsed.big) {
    Value* v = make(Kind::Int);
    v->integer = parsed.small;
    return v;
  }
  return make_text(Kind::BigInt, doc_.keep(std::move(parsed.bytes), op_start_));
}

Value* PickleMachine::make_long_binary(std::string_view bytes) {
  const std::string_view minimal = text::minimal_twos_complement(bytes);
  if (minimal.size() <= 8) {
    Value* v = make(Kind::Int);
    v->integer = text::twos_complement_to_int64(minimal);
    return v;
  }
  return make_text(Kind::BigInt, minimal);  // a prefix of the input: zero-copy
}

Value* PickleMachine::make_utf8(std::string_view bytes) {
  if (!text::valid_utf8(bytes)) fail("string is not valid UTF-8");
  return make_text(Kind::String, bytes);
}

Value* PickleMachine::make_py2_string(std::string_view bytes) {
  // Python 3 decodes py2 str with encoding='ASCII' by default; latin-1 accepts a superset.
  if (text::is_ascii(bytes)) return make_text(Kind::String, bytes);
  return make_text(Kind::String, doc_.keep(text::latin1_to_utf8(bytes), op_start_));
}

Value* PickleMachine::make_tuple(std::vector<Value*> items) {
  if (items.empty()) return &doc_.empty_tuple_;
  Value* v = make(Kind::Tuple);
  append_to(v->items, items);
  return v;
}

Value* PickleMachine::make_global(std::string_view module, std::string_view name) {
  if (!text::valid_utf8(module) || !text::valid_utf8(name)) fail("global name is not valid UTF-8");
  // Python 3 writes py2 module names for protocols < 3 (fix_imports); map them back.
  if (module == "__builtin__") module = "builtins";
  if (module == "copy_reg") module = "copyreg";
  Value* v = make(Kind::Global);
  v->text = module;
  v->name = name;
  return v;
}

void PickleMachine::append_to(std::vector<Value*>& items, const std::vector<Value*>& more) {
  doc_.charge(more.size() * sizeof(Value*), op_start_);
  items.insert(items.end(), more.begin(), more.end());
}

void PickleMachine::append_to(std::vector<ValueEntry>& entries, const std::vector<Value*>& flat_pairs) {
  doc_.charge(flat_pairs.size() / 2 * sizeof(ValueEntry), op_start_);
  for (size_t i = 0; i + 1 < flat_pairs.size(); i += 2)
    entries.emplace_back(flat_pairs[i], flat_pairs[i + 1]);
}

void PickleMachine::op_text_argument(uint8_t op) {
  std::string error;
  switch (op) {
    case INT: {
      const std::string_view line = read_line("INT");
      if (line == "01" || line == "00") {  // protocol 0 booleans: I01 / I00
        push(line == "01" ? &doc_.true_ : &doc_.false_);
      } else {
        push(make_int(line));
      }
      return;
    }
    case LONG: {
      std::string_view line = read_line("LONG");
      if (!line.empty() && line.back() == 'L') line.remove_suffix(1);
      push(make_int(line));
      return;
    }
    case FLOAT: {
      Value* v = make(Kind::Float);
      if (!text::parse_float(read_line("FLOAT"), v->real, error)) fail(error);
      push(v);
      return;
    }
    case STRING: {
      const std::string_view line = read_line("STRING");
      if (line.size() < 2 || line.front() != line.back() || (line.front() != '\'' && line.front() != '"')) {
        fail("the STRING argument must be quoted");
      }
      std::string decoded;
      if (!text::escape_decode(line.substr(1, line.size() - 2), decoded, error)) fail(error);
      push(make_py2_string(doc_.keep(std::move(decoded), op_start_)));
      return;
    }
    case UNICODE: {
      const std::string_view line = read_line("UNICODE");
      if (text::is_ascii(line) && line.find('\\') == std::string_view::npos) {
        push(make_text(Kind::String, line));
        return;
      }
      std::string decoded;
      if (!text::raw_unicode_escape_decode(line, decoded, error)) fail(error);
      push(make_text(Kind::String, doc_.keep(std::move(decoded), op_start_)));
      return;
    }
    case GLOBAL:
    case INST: {
      const char* what = op == GLOBAL ? "GLOBAL" : "INST";
      const std::string_view module = read_line(what);
      const std::string_view name = read_line(what);
      Value* global = make_global(module, name);
      if (op == GLOBAL) {
        push(global);
      } else {
        push(call(Construct::Inst, global, make_tuple(take_marked("INST")), nullptr));
      }
      return;
    }
    case PERSID: {
      const std::string_view line = read_line("PERSID");
      if (!text::is_ascii(line)) fail("persistent ids in protocol 0 must be ASCII strings");
      Value* v = make(Kind::PersistentId);
      append_to(v->items, {make_text(Kind::String, line)});
      push(v);
      return;
    }
    case PUT:
    case GET: {
      text::ParsedInt index;
      if (!text::parse_int(read_line(op == PUT ? "PUT" : "GET"), index, error)) fail(error);
      if (index.big || index.small < 0) fail(std::string(op == PUT ? "PUT" : "GET") + " index out of range");
      if (op == PUT) {
        memo_put(static_cast<uint64_t>(index.small));
      } else {
        memo_get(static_cast<uint64_t>(index.small));
      }
      return;
    }
  }
}

}  // namespace stylescope::pickle
