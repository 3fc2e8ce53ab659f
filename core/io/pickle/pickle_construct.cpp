// Container and object-building opcodes. Nothing is ever called: a call becomes an inert Object record,
// except for a whitelist of pure-data constructors whose result is plain data anyway (the encodings Python
// itself uses for sets, OrderedDicts, bytes and dict/list subclasses in protocols 0-3).
#include <algorithm>
#include <cctype>

#include "core/io/pickle/pickle_machine.h"
#include "core/io/pickle/pickle_text.h"

namespace stylescope::pickle {

using namespace op;

namespace {

bool is_sequence(const Value& v) {
  return v.kind == Kind::List || v.kind == Kind::Tuple || v.kind == Kind::Set || v.kind == Kind::FrozenSet;
}

bool is_pair(const Value& v) {
  return (v.kind == Kind::Tuple || v.kind == Kind::List) && v.items.size() == 2;
}

bool is_bytes(const Value& v) { return v.kind == Kind::Bytes || v.kind == Kind::ByteArray; }

}  // namespace

void PickleMachine::op_containers(uint8_t op) {
  switch (op) {
    case EMPTY_TUPLE:
      push(make_tuple({}));
      return;
    case TUPLE:
      push(make_tuple(take_marked("TUPLE")));
      return;
    case TUPLE1:
    case TUPLE2:
    case TUPLE3: {
      const size_t n = static_cast<size_t>(op - TUPLE1) + 1;
      if (stack_.size() - fence() < n) fail("stack underflow in TUPLE" + std::to_string(n));
      std::vector<Value*> items(stack_.end() - static_cast<std::ptrdiff_t>(n), stack_.end());
      stack_.resize(stack_.size() - n);
      push(make_tuple(std::move(items)));
      return;
    }
    case EMPTY_LIST:
      push(make(Kind::List));
      return;
    case LIST: {
      Value* v = make(Kind::List);
      append_to(v->items, take_marked("LIST"));
      push(v);
      return;
    }
    case APPEND: {
      Value* item = pop("APPEND");
      append_items(top("APPEND"), {item});
      return;
    }
    case APPENDS: {
      const std::vector<Value*> items = take_marked("APPENDS");
      append_items(top("APPENDS"), items);
      return;
    }
    case EMPTY_DICT:
      push(make(Kind::Dict));
      return;
    case DICT: {
      const std::vector<Value*> items = take_marked("DICT");
      if (items.size() % 2 != 0) fail("DICT with an odd number of items");
      Value* v = make(Kind::Dict);
      append_to(v->entries, items);
      push(v);
      return;
    }
    case SETITEM: {
      Value* value = pop("SETITEM");
      Value* key = pop("SETITEM");
      set_items(top("SETITEM"), {key, value});
      return;
    }
    case SETITEMS: {
      const std::vector<Value*> items = take_marked("SETITEMS");
      if (items.size() % 2 != 0) fail("SETITEMS with an odd number of items");
      set_items(top("SETITEMS"), items);
      return;
    }
    case EMPTY_SET:
      push(make(Kind::Set));
      return;
    case ADDITEMS: {
      const std::vector<Value*> items = take_marked("ADDITEMS");
      add_items(top("ADDITEMS"), items);
      return;
    }
    case FROZENSET: {
      Value* v = make(Kind::FrozenSet);
      append_to(v->items, take_marked("FROZENSET"));
      push(v);
      return;
    }
  }
}

void PickleMachine::op_objects(uint8_t op) {
  switch (op) {
    case REDUCE: {
      Value* args = pop("REDUCE");
      Value* callable = pop("REDUCE");
      if (args->kind != Kind::Tuple)
        fail("REDUCE arguments are a " + std::string(kind_name(args->kind)) + ", not a tuple");
      push(call(Construct::Reduce, callable, args, nullptr));
      return;
    }
    case BUILD: {
      Value* state = pop("BUILD");
      build(top("BUILD"), state);
      return;
    }
    case NEWOBJ: {
      Value* args = pop("NEWOBJ");
      Value* cls = pop("NEWOBJ");
      if (args->kind != Kind::Tuple)
        fail("NEWOBJ arguments are a " + std::string(kind_name(args->kind)) + ", not a tuple");
      push(call(Construct::NewObj, cls, args, nullptr));
      return;
    }
    case NEWOBJ_EX: {
      Value* kwargs = pop("NEWOBJ_EX");
      Value* args = pop("NEWOBJ_EX");
      Value* cls = pop("NEWOBJ_EX");
      if (args->kind != Kind::Tuple || kwargs->kind != Kind::Dict)
        fail("NEWOBJ_EX needs an args tuple and a kwargs dict");
      push(call(Construct::NewObjEx, cls, args, kwargs));
      return;
    }
    case OBJ: {
      std::vector<Value*> items = take_marked("OBJ");
      if (items.empty()) fail("OBJ without a class");
      Value* cls = items.front();
      items.erase(items.begin());
      push(call(Construct::Obj, cls, make_tuple(std::move(items)), nullptr));
      return;
    }
  }
}

Value* PickleMachine::placeholder(Construct how, Value* callable, Value* args, Value* kwargs) {
  Value* v = make(Kind::Object);
  v->object = doc_.make_object(op_start_);
  v->object->how = how;
  v->object->callable = callable;
  v->object->args = args;
  v->object->kwargs = kwargs;
  return v;
}

Value* PickleMachine::call(Construct how, Value* callable, Value* args, Value* kwargs) {
  if (callable->kind == Kind::Global && kwargs == nullptr) {
    if (Value* v = call_whitelisted(how, *callable, args)) return v;
  }
  return placeholder(how, callable, args, kwargs);
}

// str.encode(encoding) for the encodings Python's pickler uses for bytes/bytearray in protocols < 3.
Value* PickleMachine::encode_text(Kind kind, const Value& str, const Value* encoding) {
  std::string enc = "utf-8";
  if (encoding != nullptr) {
    if (encoding->kind != Kind::String) return nullptr;
    enc.assign(encoding->text);
    std::transform(enc.begin(), enc.end(), enc.begin(), [](unsigned char c) { return std::tolower(c); });
  }
  if (enc == "utf-8" || enc == "utf8") return make_text(kind, str.text);
  if (enc != "latin1" && enc != "latin-1" && enc != "iso-8859-1") return nullptr;
  if (text::is_ascii(str.text)) return make_text(kind, str.text);  // same bytes: keep the view
  std::string bytes;
  if (!text::utf8_to_latin1(str.text, bytes)) return nullptr;
  return make_text(kind, doc_.keep(std::move(bytes), op_start_));
}

Value* PickleMachine::call_whitelisted(Construct how, const Value& global, Value* args) {
  const std::vector<Value*>& a = args->items;
  const std::string_view module = global.text;
  const std::string_view name = global.name;
  // REDUCE/INST/OBJ call cls(*args); NEWOBJ calls cls.__new__(cls, *args), which for the containers below
  // makes an empty one whatever the arguments (the contents arrive through SETITEMS/APPENDS).
  const bool instantiate = how != Construct::NewObj;
  const bool builtin = module == "builtins";

  if ((module == "collections" && name == "OrderedDict") || (builtin && name == "dict")) {
    Value* d = make(Kind::Dict);
    if (a.empty() || !instantiate) return d;
    if (a.size() != 1) return nullptr;
    if (a[0]->kind == Kind::Dict) {
      doc_.charge(a[0]->entries.size() * sizeof(ValueEntry), op_start_);
      d->entries = a[0]->entries;
      return d;
    }
    if (!is_sequence(*a[0]) ||
        !std::all_of(a[0]->items.begin(), a[0]->items.end(), [](Value* p) { return is_pair(*p); })) {
      return nullptr;
    }
    std::vector<Value*> flat;
    for (Value* p : a[0]->items) flat.insert(flat.end(), p->items.begin(), p->items.end());
    append_to(d->entries, flat);
    return d;
  }
  if (builtin && (name == "list" || name == "set" || name == "frozenset")) {
    Value* v = make(name == "list" ? Kind::List : name == "set" ? Kind::Set : Kind::FrozenSet);
    if (a.empty() || !instantiate) return v;
    if (a.size() != 1 || !is_sequence(*a[0])) return nullptr;
    append_to(v->items, a[0]->items);
    return v;
  }
  if (builtin && (name == "bytes" || name == "bytearray") && instantiate) {
    const Kind kind = name == "bytes" ? Kind::Bytes : Kind::ByteArray;
    if (a.empty()) return make(kind);
    if (a.size() == 1 && is_bytes(*a[0])) return make_text(kind, a[0]->text);
    if (a.size() == 2 && a[0]->kind == Kind::String) return encode_text(kind, *a[0], a[1]);
    return nullptr;
  }
  if (module == "_codecs" && name == "encode" && instantiate) {
    if ((a.size() == 1 || a.size() == 2) && a[0]->kind == Kind::String) {
      return encode_text(Kind::Bytes, *a[0], a.size() == 2 ? a[1] : nullptr);
    }
    return nullptr;
  }
  if (module == "copyreg" && instantiate) return call_copyreg(name, a);
  return nullptr;
}

// Protocol 0/1 encode instances as copyreg._reconstructor(cls, base, state); protocol-2 reduce values can
// name copyreg.__newobj__/__newobj_ex__ explicitly. All three become the record NEWOBJ would have made.
Value* PickleMachine::call_copyreg(std::string_view name, const std::vector<Value*>& a) {
  if (name == "_reconstructor" && a.size() == 3) {
    const Value& base = *a[1];
    const Value& state = *a[2];
    if (base.is_global("builtins", "object")) {  // object.__new__(cls): any state is ignored
      return placeholder(Construct::NewObj, a[0], make_tuple({}), nullptr);
    }
    if (base.is_global("builtins", "dict") && state.kind == Kind::Dict) {
      Value* v = placeholder(Construct::NewObj, a[0], make_tuple({}), nullptr);
      doc_.charge(state.entries.size() * sizeof(ValueEntry), op_start_);
      v->object->dict_items = state.entries;
      return v;
    }
    if (base.is_global("builtins", "list") && state.kind == Kind::List) {
      Value* v = placeholder(Construct::NewObj, a[0], make_tuple({}), nullptr);
      append_to(v->object->list_items, state.items);
      return v;
    }
    return nullptr;
  }
  if (name == "__newobj__" && !a.empty()) {
    return call(Construct::NewObj, a[0], make_tuple(std::vector<Value*>(a.begin() + 1, a.end())), nullptr);
  }
  if (name == "__newobj_ex__" && a.size() == 3 && a[1]->kind == Kind::Tuple && a[2]->kind == Kind::Dict) {
    return placeholder(Construct::NewObjEx, a[0], a[1], a[2]);
  }
  return nullptr;
}

void PickleMachine::build(Value* target, Value* state) {
  switch (target->kind) {
    case Kind::Object:
      target->object->state = state;
      return;
    case Kind::Dict:
    case Kind::List:
    case Kind::Set:
    case Kind::ByteArray:
      // Instance __dict__ of a whitelisted container (an OrderedDict with attributes): no data meaning.
      return;
    default:
      fail("BUILD on " + describe(*target));
  }
}

void PickleMachine::append_items(Value* target, const std::vector<Value*>& items) {
  if (target->kind == Kind::List) {
    append_to(target->items, items);
  } else if (target->kind == Kind::Object) {
    append_to(target->object->list_items, items);
  } else {
    fail("APPEND(S) to " + describe(*target));
  }
}

void PickleMachine::set_items(Value* target, const std::vector<Value*>& flat_pairs) {
  if (target->kind == Kind::Dict) {
    append_to(target->entries, flat_pairs);
  } else if (target->kind == Kind::Object) {
    append_to(target->object->dict_items, flat_pairs);
  } else {
    fail("SETITEM(S) on " + describe(*target));
  }
}

void PickleMachine::add_items(Value* target, const std::vector<Value*>& items) {
  if (target->kind == Kind::Set) {
    append_to(target->items, items);
  } else if (target->kind == Kind::Object) {
    append_to(target->object->list_items, items);
  } else {
    fail("ADDITEMS to " + describe(*target));
  }
}

}  // namespace stylescope::pickle
