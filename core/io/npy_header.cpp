#include "core/io/npy_header.h"

#include <cctype>
#include <limits>
#include <map>

#include "core/io/errors.h"

namespace stylescope {
namespace {

struct Value {
  enum class Kind { String, Bool, None, Int, Tuple, List, Dict } kind = Kind::None;
  std::string text;
  bool flag = false;
  int64_t number = 0;
  std::vector<Value> items;  // tuple/list elements
};

class LiteralParser {
 public:
  LiteralParser(const std::string& text, const std::string& file) : s_(text), file_(file) {}

  std::map<std::string, Value> parse_dict_document() {
    skip_space();
    if (!consume('{')) fail("header is not a Python dict");
    std::map<std::string, Value> dict;
    for (;;) {
      skip_space();
      if (consume('}')) break;
      Value key = parse_value(1);
      if (key.kind != Value::Kind::String) fail("header dict keys must be strings");
      skip_space();
      if (!consume(':')) fail("expected ':' in header dict");
      Value value = parse_value(1);
      if (!dict.emplace(key.text, std::move(value)).second) fail("header repeats key '" + key.text + "'");
      skip_space();
      if (consume(',')) continue;
      skip_space();
      if (consume('}')) break;
      fail("expected ',' or '}' in header dict");
    }
    skip_space();
    if (pos_ != s_.size()) fail("unexpected text after the header dict");
    return dict;
  }

 private:
  [[noreturn]] void fail(const std::string& message) const {
    throw InputError(file_, "bad .npy header: " + message);
  }
  void skip_space() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool consume(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool consume_word(const char* word) {
    const std::string w(word);
    if (s_.compare(pos_, w.size(), w) != 0) return false;
    const size_t after = pos_ + w.size();
    if (after < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[after])) || s_[after] == '_'))
      return false;
    pos_ = after;
    return true;
  }

  Value parse_value(int depth) {
    if (depth > 16) fail("header nests too deeply");
    skip_space();
    if (pos_ >= s_.size()) fail("header ends early");
    const char c = s_[pos_];
    Value v;
    if (c == '\'' || c == '"') {
      v.kind = Value::Kind::String;
      v.text = parse_string();
    } else if (c == '(' || c == '[') {
      v.kind = c == '(' ? Value::Kind::Tuple : Value::Kind::List;
      v.items = parse_sequence(c == '(' ? ')' : ']', depth);
    } else if (c == '{') {
      v.kind = Value::Kind::Dict;
      skip_nested_dict(depth);
    } else if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
      v.kind = Value::Kind::Int;
      v.number = parse_int();
    } else if (consume_word("True")) {
      v.kind = Value::Kind::Bool;
      v.flag = true;
    } else if (consume_word("False")) {
      v.kind = Value::Kind::Bool;
    } else if (consume_word("None")) {
      v.kind = Value::Kind::None;
    } else {
      fail(std::string("unexpected character '") + c + "'");
    }
    return v;
  }

  std::string parse_string() {
    const char quote = s_[pos_++];
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != quote) {
      if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;  // keep the escaped character as is
      out += s_[pos_++];
    }
    if (!consume(quote)) fail("unterminated string");
    return out;
  }

  int64_t parse_int() {
    const bool negative = consume('-');
    if (pos_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[pos_]))) fail("bad number");
    uint64_t n = 0;
    while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) {
      const unsigned digit = static_cast<unsigned>(s_[pos_++] - '0');
      if (n > (static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) - digit) / 10)
        fail("number too large");
      n = n * 10 + digit;
    }
    if (pos_ < s_.size() && (s_[pos_] == '.' || s_[pos_] == 'e' || s_[pos_] == 'E'))
      fail("shape is not valid");
    consume('L');  // Python 2 long suffix (numpy's _filter_header drops it too)
    return negative ? -static_cast<int64_t>(n) : static_cast<int64_t>(n);
  }

  std::vector<Value> parse_sequence(char close, int depth) {
    ++pos_;
    std::vector<Value> items;
    for (;;) {
      skip_space();
      if (consume(close)) return items;
      items.push_back(parse_value(depth + 1));
      skip_space();
      if (consume(',')) continue;
      skip_space();
      if (consume(close)) return items;
      fail(std::string("expected ',' or '") + close + "'");
    }
  }

  void skip_nested_dict(int depth) {
    ++pos_;
    for (;;) {
      skip_space();
      if (consume('}')) return;
      parse_value(depth + 1);
      skip_space();
      if (!consume(':')) fail("expected ':'");
      parse_value(depth + 1);
      skip_space();
      if (consume(',')) continue;
      skip_space();
      if (consume('}')) return;
      fail("expected ',' or '}'");
    }
  }

  const std::string& s_;
  const std::string& file_;
  size_t pos_ = 0;
};

}  // namespace

NpyHeader parse_npy_header_dict(const std::string& text, const std::string& file) {
  std::map<std::string, Value> dict = LiteralParser(text, file).parse_dict_document();
  if (dict.size() != 3 || !dict.count("descr") || !dict.count("fortran_order") || !dict.count("shape")) {
    std::string keys;
    for (const auto& entry : dict) keys += (keys.empty() ? "'" : ", '") + entry.first + "'";
    throw InputError(file, "bad .npy header: expected the keys 'descr', 'fortran_order', 'shape', found " +
                               (keys.empty() ? std::string("none") : keys));
  }
  NpyHeader header;
  const Value& descr = dict["descr"];
  if (descr.kind == Value::Kind::String) {
    header.descr = descr.text;
  } else if (descr.kind != Value::Kind::List) {
    throw InputError(file, "bad .npy header: 'descr' is not a dtype descriptor");
  }
  const Value& fortran = dict["fortran_order"];
  if (fortran.kind != Value::Kind::Bool)
    throw InputError(file, "bad .npy header: 'fortran_order' is not a bool");
  header.fortran_order = fortran.flag;
  const Value& shape = dict["shape"];
  if (shape.kind != Value::Kind::Tuple) throw InputError(file, "bad .npy header: 'shape' is not a tuple");
  for (const Value& d : shape.items) {
    if (d.kind != Value::Kind::Int || d.number < 0) {
      throw InputError(file, "bad .npy header: 'shape' is not a tuple of non-negative ints");
    }
    header.shape.push_back(d.number);
  }
  return header;
}

}  // namespace stylescope
