// Malformed and hostile input to the pickle VM and the JSON conversion: bounded memory, clean errors.
#include <gtest/gtest.h>

#include <random>

#include "core/io/pickle/pickle_json.h"
#include "tests/pickle/pickle_test_util.h"

namespace stylescope::pickle::test {
namespace {

using namespace std::string_literals;

// Every outcome must be a value or an InputError; anything else (another exception, a crash, a sanitizer
// report) fails the test.
void load_or_input_error(const std::string& bytes) {
  try {
    auto doc = document(bytes);
    doc->load();
  } catch (const InputError&) {
  }
}

TEST(PickleRobustness, TruncatedValuePicklesFailCleanly) {
  for (int protocol : {0, 2, 4}) {
    const std::string bytes = read_data("values_p" + std::to_string(protocol) + ".pkl");
    for (size_t len = 0; len < bytes.size(); len += (len < 300 || len + 300 > bytes.size()) ? 1 : 37) {
      SCOPED_TRACE("protocol " + std::to_string(protocol) + ", " + std::to_string(len) + " bytes");
      expect_input_error([&] { document(bytes.substr(0, len))->load(); });
    }
  }
}

TEST(PickleRobustness, RandomBytes) {
  std::mt19937 rng(1234);
  for (int i = 0; i < 3000; ++i) {
    std::string bytes(rng() % 64, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    load_or_input_error(bytes);
  }
}

// Random sequences of real opcodes with small arguments reach far deeper than random bytes.
TEST(PickleRobustness, RandomOpcodeSoup) {
  static const char* kPieces[] = {
      "(",
      ".",
      "0",
      "1",
      "2",
      "N",
      "\x88",
      "\x89",
      ")",
      "]",
      "}",
      "\x8f",
      "t",
      "l",
      "d",
      "\x85",
      "\x86",
      "\x87",
      "a",
      "e",
      "s",
      "u",
      "\x90",
      "\x91",
      "R",
      "b",
      "\x81",
      "\x92",
      "o",
      "Q",
      "\x93",
      "K\x01",
      "J\x01\x02\x03\x04",
      "\x8a\x01\xff",
      "G?\xf0\x01\x02\x03\x04\x05\x06",
      "\x8c\x01x",
      "X\x01\x00\x00\x00y",
      "C\x01z",
      "q\x01",
      "h\x01",
      "\x94",
      "\x80\x04",
      "cposix\nsystem\n",
      "cbuiltins\nset\n",
      "ccollections\nOrderedDict\n",
      "c_codecs\nencode\n",
      "ccopyreg\n_reconstructor\n",
      "cbuiltins\nobject\n",
      "cbuiltins\ndict\n",
      "X\x06\x00\x00\x00latin1",
      "I01\n",
      "L5L\n",
      "F0.5\n",
      "S'q'\n",
      "Vv\n",
      "p2\n",
      "g2\n",
      "i"
      "mod\nCls\n",
      "Pid\n",
  };
  // sizeof of a literal includes its NUL; pieces with embedded NULs need their real lengths.
  std::mt19937 rng(99);
  int values = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string bytes;
    const int n = 1 + static_cast<int>(rng() % 40);
    for (int k = 0; k < n; ++k) {
      const char* piece = kPieces[rng() % std::size(kPieces)];
      if (piece[0] == 'X' && piece[1] == '\x01') {
        bytes += "X\x01\x00\x00\x00y"s;
      } else if (piece[0] == 'X' && piece[1] == '\x06') {
        bytes += "X\x06\x00\x00\x00latin1"s;
      } else {
        bytes += piece;
      }
    }
    bytes += '.';
    try {
      auto doc = document(bytes);
      const Value* v = doc->load();
      to_json(*v, "soup", "root", JsonMode::Lenient);
      ++values;
    } catch (const InputError&) {
    }
  }
  EXPECT_GT(values, 100);  // the soup does build values, so the test reaches past the first opcode
}

// Plain mutations of CPython-written pickles of every protocol (every opcode family appears in them).
TEST(PickleRobustness, MutatedValuePickles) {
  std::mt19937 rng(4321);
  int values = 0;
  for (const char* name :
       {"values_p0.pkl", "values_p2.pkl", "values_p4.pkl", "objects_p0.pkl", "objects_p5.pkl"}) {
    const std::string original = read_data(name);
    for (int i = 0; i < 400; ++i) {
      std::string b = original;
      for (int k = 0, n = 1 + static_cast<int>(rng() % 4); k < n; ++k) {
        const size_t at = rng() % b.size();
        switch (rng() % 4) {
          case 0:
            b[at] = static_cast<char>(b[at] ^ (1 << (rng() % 8)));
            break;
          case 1:
            b[at] = static_cast<char>(rng());
            break;
          case 2:
            b.insert(at, 1, static_cast<char>(rng()));
            break;
          default:
            b.erase(at, 1 + rng() % 8);
        }
        if (b.empty()) b = ".";
      }
      try {
        auto doc = document(b);
        to_json(*doc->load(), name, "root", JsonMode::Lenient);
        ++values;
      } catch (const InputError&) {
      }
    }
  }
  EXPECT_GT(values, 50);
}

TEST(PickleRobustness, MemoryLimitStopsOpcodeBombs) {
  const std::string lists(200'000, ']');  // 200,000 empty lists from 200 KB
  PickleLimits limits;
  limits.max_graph_bytes = 1 << 20;
  PickleDocument doc(reinterpret_cast<const uint8_t*>(lists.data()), lists.size(), "bomb.pkl", 0, limits);
  expect_input_error([&] { doc.load(); }, {"bomb.pkl: byte", "memory limit"});

  const std::string dups = "]" + std::string(300'000, '2');  // DUP: the stack grows without new values
  PickleDocument dup_doc(reinterpret_cast<const uint8_t*>(dups.data()), dups.size(), "dup.pkl", 0, limits);
  expect_input_error([&] { dup_doc.load(); }, {"memory limit"});
}

TEST(PickleRobustness, DeepNestingIsIterative) {
  // 100,000 nested lists: the VM has no recursion; JSON conversion refuses (strict) or cuts (lenient).
  const int depth = 100'000;
  const std::string bytes = std::string(depth, ']') + std::string(depth - 1, 'a') + ".";
  auto doc = document(bytes);
  const Value* v = doc->load();
  ASSERT_EQ(v->kind, Kind::List);
  expect_input_error([&] { to_json(*v, "deep.pkl", "root", JsonMode::Strict); },
                     {"deep.pkl: expected plain data at root", "nested deeper than 100"});
  EXPECT_NO_THROW(to_json(*v, "deep.pkl", "root", JsonMode::Lenient));
}

TEST(PickleRobustness, SharedReferencesCannotExplodeJson) {
  // L0 = [], L(k+1) = [Lk, Lk]: 60 levels describe 2^60 leaves in ~400 bytes.
  std::string bytes = "]q\x00"s;
  for (int k = 0; k < 60; ++k) {
    bytes += "](h" + std::string(1, static_cast<char>(k)) + "h" + std::string(1, static_cast<char>(k)) +
             "eq" + std::string(1, static_cast<char>(k + 1));
  }
  bytes += ".";
  auto doc = document(bytes);
  const Value* v = doc->load();
  expect_input_error([&] { to_json(*v, "dag.pkl", "root", JsonMode::Strict); }, {"more than 100000 values"});
  EXPECT_NO_THROW(to_json(*v, "dag.pkl", "root", JsonMode::Lenient));
}

TEST(PickleJson, PlainDataEasyDictAndNumpyScalars) {
  const std::string bytes = read_data("net_p4.pkl");
  auto doc = document(bytes);
  const Value* root = doc->load();
  const Value& meta = *root->find("G_ema")->args()[0];
  const Value* kwargs = meta.find("state")->find("_init_kwargs");
  ASSERT_NE(kwargs, nullptr);
  const nlohmann::json j = to_json(*kwargs, "net.pkl", "G_ema._init_kwargs", JsonMode::Strict);
  EXPECT_EQ(j["mapping_kwargs"], nlohmann::json({{"num_layers", 2}}));  // an EasyDict
  EXPECT_EQ(j["synthesis_kwargs"]["architecture"], "skip");
  EXPECT_TRUE(j["synthesis_kwargs"]["conv_clamp"].is_null());

  // numpy.float64 (numpy.core.multiarray.scalar(dtype('f8'), 8 bytes)).
  const Value* mapping = meta.find("state")->find("_modules")->find("mapping");
  const Value* fc0 = mapping->args()[0]->find("state")->find("_modules")->find("fc0");
  const Value* gain = fc0->args()[0]->find("state")->find("weight_gain");
  ASSERT_NE(gain, nullptr);
  ASSERT_TRUE(gain->is_call_of("numpy.core.multiarray", "scalar"));
  nlohmann::json number;
  ASSERT_TRUE(numpy_scalar_to_json(*gain, "net.pkl", "gain", number));
  EXPECT_DOUBLE_EQ(number.get<double>(), 1.0 / std::sqrt(8.0));
}

TEST(PickleJson, NonPlainDataIsNamed) {
  const std::string bytes = read_data("objects_p4.pkl");
  auto doc = document(bytes);
  const Value& evil = *doc->load()->find("evil");
  expect_input_error([&] { to_json(evil, "x.pkl", "attr", JsonMode::Strict); },
                     {"x.pkl: expected plain data at attr, found posix.system(...)"});
  EXPECT_EQ(to_json(evil, "x.pkl", "attr", JsonMode::Lenient), "<posix.system(...)>");
}

}  // namespace
}  // namespace stylescope::pickle::test
