#pragma once
// Helpers shared by the pickle reader tests. Data files come from tests/pickle/make_pickle_data.py.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "core/io/errors.h"
#include "core/io/pickle/pickle_reader.h"
#include "core/io/pickle/pickle_value.h"
#include "core/io/raw_tensor.h"

namespace stylescope::pickle::test {

inline std::string data_path(const std::string& name) {
  return std::string(STYLESCOPE_FIXTURES_DIR) + "/../pickle/data/" + name;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing test data " << path << " (run tests/pickle/make_pickle_data.py)";
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline std::string read_data(const std::string& name) { return read_file(data_path(name)); }

// Bytes that RawTensors may view (owner = a shared copy of `bytes`).
inline ByteBuffer to_buffer(const std::string& bytes) {
  auto owner = std::make_shared<std::string>(bytes);
  return ByteBuffer{owner, reinterpret_cast<const uint8_t*>(owner->data()), owner->size()};
}

// A document over `bytes`, which must outlive it.
inline std::unique_ptr<PickleDocument> document(const std::string& bytes,
                                                const std::string& name = "test.pkl") {
  return std::make_unique<PickleDocument>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), name);
}

// Runs `fn`, expects an InputError (UnsupportedError counts) whose message contains every `parts` string,
// and returns the message.
inline std::string expect_input_error(const std::function<void()>& fn,
                                      const std::vector<std::string>& parts = {}) {
  try {
    fn();
  } catch (const InputError& e) {
    const std::string message = e.what();
    for (const std::string& part : parts) {
      EXPECT_NE(message.find(part), std::string::npos) << "'" << part << "' not in: " << message;
    }
    EXPECT_EQ(message.find('\n'), std::string::npos) << "multi-line message: " << message;
    return message;
  }
  ADD_FAILURE() << "expected an InputError";
  return "";
}

// The canonical text of a value, as canon() in make_pickle_data.py writes it.
inline std::string canon(const Value& v, std::vector<const Value*>& path) {
  for (const Value* p : path) {
    if (p == &v) return "<cycle>";
  }
  auto escaped = [](std::string_view bytes) {
    std::string out;
    char buf[8];
    for (char c : bytes) {
      const auto b = static_cast<unsigned char>(c);
      if (b >= 32 && b < 127 && b != '"' && b != '\\') {
        out += c;
      } else {
        std::snprintf(buf, sizeof buf, "\\x%02x", b);
        out += buf;
      }
    }
    return out;
  };
  path.push_back(&v);
  auto join = [&](const std::vector<Value*>& items) {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + canon(*items[i], path);
    return out;
  };
  std::string out;
  switch (v.kind) {
    case Kind::None:
      out = "None";
      break;
    case Kind::Bool:
      out = v.boolean ? "True" : "False";
      break;
    case Kind::Int:
    case Kind::BigInt:
      out = int_to_decimal(v);
      break;
    case Kind::Float: {
      uint64_t bits;
      std::memcpy(&bits, &v.real, 8);
      char buf[24];
      std::snprintf(buf, sizeof buf, "f:%016llx", static_cast<unsigned long long>(bits));
      out = buf;
      break;
    }
    case Kind::String:
      out = "u\"" + escaped(v.text) + "\"";
      break;
    case Kind::Bytes:
      out = "b\"" + escaped(v.text) + "\"";
      break;
    case Kind::ByteArray:
      out = "ba\"" + escaped(v.text) + "\"";
      break;
    case Kind::Tuple:
      out = "(" + join(v.items) + ")";
      break;
    case Kind::List:
      out = "[" + join(v.items) + "]";
      break;
    case Kind::Set:
      out = "set{" + join(v.items) + "}";
      break;
    case Kind::FrozenSet:
      out = "frozenset{" + join(v.items) + "}";
      break;
    case Kind::Dict:
      out = "{";
      for (size_t i = 0; i < v.entries.size(); ++i) {
        out += (i ? ", " : "") + canon(*v.entries[i].first, path) + ": " + canon(*v.entries[i].second, path);
      }
      out += "}";
      break;
    default:
      out = "<" + describe(v) + ">";
  }
  path.pop_back();
  return out;
}

inline std::string canon(const Value& v) {
  std::vector<const Value*> path;
  return canon(v, path);
}

}  // namespace stylescope::pickle::test
