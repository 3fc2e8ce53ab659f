#include "core/io/safetensors.h"

#include <cstring>
#include <random>
#include <stdexcept>

#include "core/util/atomic_file.h"
#include "io_test_util.h"

namespace stylescope {
namespace {

using test::expect_input_error;
using test::TempDir;

DType dtype_from_safetensors(const std::string& name) {
  for (DType d : {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64, DType::Int64, DType::Int32,
                  DType::Int16, DType::Int8, DType::UInt8, DType::Bool}) {
    if (name == safetensors_dtype_name(d)) return d;
  }
  throw std::runtime_error("unknown dtype " + name);
}

int64_t int_element(const RawTensor& t, int64_t i) {
  const uint8_t* p = t.storage.data + (t.offset + i) * static_cast<int64_t>(dtype_size(t.dtype));
  switch (t.dtype) {
    case DType::Int64: {
      int64_t v;
      std::memcpy(&v, p, 8);
      return v;
    }
    case DType::Int32: {
      int32_t v;
      std::memcpy(&v, p, 4);
      return v;
    }
    case DType::Int16: {
      int16_t v;
      std::memcpy(&v, p, 2);
      return v;
    }
    case DType::Int8:
      return static_cast<int8_t>(*p);
    default:
      return *p;  // UInt8, Bool
  }
}

// Checks a tensor against the Python script's description (exact values).
void expect_tensor(const RawTensor& t, const nlohmann::json& expected, const std::string& name) {
  SCOPED_TRACE(name);
  ASSERT_TRUE(t.in_bounds());
  EXPECT_EQ(t.dtype, dtype_from_safetensors(expected["dtype"]));
  EXPECT_EQ(t.shape, expected["shape"].get<std::vector<int64_t>>());
  const auto& values = expected["values"];
  ASSERT_EQ(t.numel(), static_cast<int64_t>(values.size()));
  if (t.dtype == DType::Float64) {
    for (size_t i = 0; i < values.size(); ++i) {
      double v;
      std::memcpy(&v, t.storage.data + 8 * i, 8);
      EXPECT_EQ(v, test::hex_double(values[i]));
    }
  } else if (t.dtype == DType::Float32 || t.dtype == DType::Float16 || t.dtype == DType::BFloat16) {
    const std::vector<float> f = t.to_float32();
    for (size_t i = 0; i < values.size(); ++i)
      EXPECT_EQ(f[i], static_cast<float>(test::hex_double(values[i])));
  } else {
    for (size_t i = 0; i < values.size(); ++i)
      EXPECT_EQ(int_element(t, static_cast<int64_t>(i)), values[i].get<int64_t>());
  }
}

TEST(Safetensors, ReadsReferenceFile) {
  const nlohmann::json expected = test::load_json("safetensors_expected.json");
  for (const char* file : {"safetensors/reference.safetensors", "safetensors/reversed_header.safetensors"}) {
    SCOPED_TRACE(file);
    const SafetensorsFile st = read_safetensors(test::io_data(file));
    using Metadata = std::map<std::string, std::string>;
    EXPECT_EQ(st.metadata, expected["metadata"].get<Metadata>());
    std::vector<std::string> order;
    for (const auto& entry : st.tensors) order.push_back(entry.first);
    EXPECT_EQ(order, expected["order"].get<std::vector<std::string>>());  // data order, not JSON key order
    for (const auto& [name, tensor] : st.tensors) expect_tensor(tensor, expected["tensors"][name], name);
    ASSERT_NE(st.find("count"), nullptr);
    EXPECT_TRUE(st.find("count")->shape.empty());
    EXPECT_EQ(st.find("no such tensor"), nullptr);
  }
}

TEST(Safetensors, TensorsViewTheFileBuffer) {
  const ByteBuffer bytes = read_file(test::io_data("safetensors/reference.safetensors"));
  const SafetensorsFile st = parse_safetensors(bytes, "reference");
  uint64_t header = 0;
  std::memcpy(&header, bytes.data, 8);
  EXPECT_EQ(header % 8, 0u);
  const uint8_t* data = bytes.data + 8 + header;
  for (const auto& [name, tensor] : st.tensors) {
    EXPECT_EQ(tensor.storage.owner, bytes.owner) << name;
    EXPECT_GE(tensor.storage.data, data) << name;
    EXPECT_LE(tensor.storage.data + tensor.storage.size, bytes.data + bytes.size) << name;
  }
  EXPECT_EQ(st.tensors.front().second.storage.data, data);
}

// Written in the reference writer's order, our file is byte-identical to the reference serialisation.
TEST(Safetensors, WriterMatchesReferenceBytes) {
  TempDir dir;
  const std::string reference = test::io_data("safetensors/reference.safetensors");
  const SafetensorsFile st = read_safetensors(reference);
  std::vector<std::pair<std::string, TensorRef>> tensors;
  for (const auto& [name, tensor] : st.tensors) tensors.emplace_back(name, TensorRef::from(tensor));
  write_safetensors(dir / "ours.safetensors", st.metadata, tensors);
  EXPECT_EQ(test::file_bytes(dir / "ours.safetensors"), test::file_bytes(reference));
}

TEST(Safetensors, RoundTripKeepsGivenOrder) {
  TempDir dir;
  std::mt19937 rng(5);
  std::vector<float> a(2 * 3 * 5);
  for (float& v : a) v = std::uniform_real_distribution<float>(-3, 3)(rng);
  const std::vector<uint16_t> half = {0x3c00, 0xc000, 0x7bff};
  const std::vector<uint8_t> bytes = {1, 2, 3};
  const std::vector<int64_t> big = {-(int64_t{1} << 62), 12345678901234};
  const std::vector<std::pair<std::string, TensorRef>> tensors = {
      {"z.last_name_first", {DType::UInt8, {3}, bytes.data()}},
      {"G_ema.synthesis.b8.conv0.weight", {DType::Float32, {2, 3, 5}, a.data()}},
      {"half", {DType::Float16, {3}, half.data()}},
      {"empty", {DType::Float32, {4, 0}, nullptr}},
      {"int", {DType::Int64, {2}, big.data()}},
  };
  const std::map<std::string, std::string> metadata = {{"format", "stylescope/1"},
                                                       {"G_kwargs", "{\"z_dim\": 8}"}};
  write_safetensors(dir / "m.safetensors", metadata, tensors);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"m.safetensors"});

  const SafetensorsFile st = read_safetensors(dir / "m.safetensors");
  EXPECT_EQ(st.metadata, metadata);
  ASSERT_EQ(st.tensors.size(), tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    const auto& [name, ref] = tensors[i];
    const RawTensor& t = st.tensors[i].second;
    EXPECT_EQ(st.tensors[i].first, name);
    EXPECT_EQ(t.dtype, ref.dtype);
    EXPECT_EQ(t.shape, ref.shape);
    ASSERT_EQ(t.storage.size, ref.nbytes());
    if (ref.nbytes()) {
      EXPECT_EQ(std::memcmp(t.storage.data, ref.data, ref.nbytes()), 0) << name;
    }
  }
}

TEST(Safetensors, NoMetadataWritesNoMetadataEntry) {
  TempDir dir;
  const float v = 1.0f;
  write_safetensors(dir / "n.safetensors", {}, {{"x", {DType::Float32, {}, &v}}});
  const std::vector<uint8_t> bytes = test::file_bytes(dir / "n.safetensors");
  const std::string json = R"({"x":{"dtype":"F32","shape":[],"data_offsets":[0,4]}})";
  const size_t padded = (json.size() + 7) / 8 * 8;
  ASSERT_EQ(bytes.size(), 8 + padded + 4);
  EXPECT_EQ(bytes[0], padded);
  EXPECT_EQ(std::string(bytes.begin() + 8, bytes.end() - 4), json + std::string(padded - json.size(), ' '));
  EXPECT_TRUE(read_safetensors(dir / "n.safetensors").metadata.empty());
}

TEST(Safetensors, WriterRejectsMisuse) {
  TempDir dir;
  const float v[4] = {};
  EXPECT_THROW(
      write_safetensors(dir / "a", {}, {{"x", {DType::Float32, {1}, v}}, {"x", {DType::Float32, {1}, v}}}),
      std::invalid_argument);
  EXPECT_THROW(write_safetensors(dir / "a", {}, {{"__metadata__", {DType::Float32, {1}, v}}}),
               std::invalid_argument);
  EXPECT_THROW(write_safetensors(dir / "a", {}, {{"x", {DType::Float32, {2}, nullptr}}}),
               std::invalid_argument);
  EXPECT_THROW(write_safetensors(dir / "a", {}, {{"x", {DType::Float32, {-1}, v}}}), std::invalid_argument);
  expect_input_error(
      [&] {
        write_safetensors(dir / "missing/a.safetensors", {}, {{"x", {DType::Float32, {1}, v}}});
      },
      {dir / "missing/a.safetensors: cannot write"});
  expect_input_error([&] { write_safetensors(dir / "a", {{"k", "\xff\xfe"}}, {}); }, {dir / "a", "UTF-8"});
  EXPECT_TRUE(dir.entries().empty());
}

// A file from a header string and `data_size` bytes of data.
ByteBuffer craft(const std::string& header, size_t data_size, uint64_t declared = UINT64_MAX) {
  std::vector<uint8_t> bytes(8 + header.size() + data_size, 0);
  const uint64_t n = declared == UINT64_MAX ? header.size() : declared;
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(n >> (8 * i));
  std::memcpy(bytes.data() + 8, header.data(), header.size());
  return owned_bytes(std::move(bytes));
}

void expect_rejected(const ByteBuffer& bytes, const std::vector<std::string>& fragments) {
  std::vector<std::string> all = {"bad.safetensors: "};
  all.insert(all.end(), fragments.begin(), fragments.end());
  expect_input_error([&] { parse_safetensors(bytes, "bad.safetensors"); }, all);
}

TEST(SafetensorsValidation, HeaderLength) {
  expect_rejected(owned_bytes({1, 2, 3}), {"expected at least 8"});
  expect_rejected(craft("{}", 0, 100), {"truncated", "header length 100"});
  expect_rejected(craft("{}", 0, uint64_t{1} << 40), {"exceeds the limit"});
  expect_rejected(craft("{}", 0, UINT64_MAX - 1), {"exceeds the limit"});
  EXPECT_TRUE(parse_safetensors(craft("{}", 0), "ok").tensors.empty());
}

TEST(SafetensorsValidation, HeaderJson) {
  expect_rejected(craft("{\"a\": ", 0), {"not valid JSON"});
  expect_rejected(craft("[1, 2]", 0), {"not a JSON object"});
  expect_rejected(craft("", 0), {"not a JSON object"});
  expect_rejected(craft("{\"a\xff\": {}}", 0), {"not valid JSON"});
  expect_rejected(craft(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                        R"("a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                        8),
                  {"'a' twice"});
}

TEST(SafetensorsValidation, Metadata) {
  expect_rejected(craft(R"({"__metadata__":{"format":"stylescope/1","epoch":3}})", 0),
                  {"__metadata__ value for 'epoch' is number, expected a string"});
  expect_rejected(craft(R"({"__metadata__":["x"]})", 0), {"__metadata__ is not a JSON object"});
}

TEST(SafetensorsValidation, TensorEntries) {
  expect_rejected(craft(R"({"w":{"dtype":"U32","shape":[1],"data_offsets":[0,4]}})", 4),
                  {"tensor 'w'", "unsupported dtype 'U32'"});
  expect_rejected(craft(R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4),
                  {"tensor 'w'", "\"shape\" is not a list of non-negative integers"});
  expect_rejected(craft(R"({"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}})", 4),
                  {"tensor 'w'", "shape"});
  expect_rejected(craft(R"({"w":{"shape":[1],"data_offsets":[0,4]}})", 4), {"tensor 'w'", "dtype"});
  expect_rejected(craft(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0]}})", 4),
                  {"tensor 'w'", "data_offsets"});
  expect_rejected(craft(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}})", 4),
                  {"tensor 'w'", "end before"});
  expect_rejected(craft(R"({"w":[1,2]})", 4), {"tensor 'w'", "expected a JSON object"});
  expect_rejected(
      craft(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,4]}})", 4),
      {"tensor 'w'"});
}

TEST(SafetensorsValidation, SizeMismatch) {
  expect_rejected(craft(R"({"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}})", 12),
                  {"tensor 'w': data_offsets [0, 12] hold 12 bytes but F32 [2, 2] needs 16"});
  expect_rejected(craft(R"({"w":{"dtype":"F16","shape":[3],"data_offsets":[0,12]}})", 12), {"needs 6"});
}

TEST(SafetensorsValidation, Layout) {
  expect_rejected(craft(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                        R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                        12),
                  {"tensor 'b': data_offsets [4, 12] overlap tensor 'a' [0, 8]"});
  expect_rejected(craft(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                        R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                        12),
                  {"tensor 'b'", "gap"});
  expect_rejected(craft(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", 8),
                  {"truncated", "tensor 'a'"});
  expect_rejected(craft(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 9),
                  {"5 bytes after the last tensor"});
  expect_rejected(craft(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 0), {"truncated"});
}

TEST(SafetensorsValidation, ErrorsNameTheFile) {
  TempDir dir;
  test::write_bytes(dir / "cut.safetensors", {8, 0, 0, 0, 0, 0, 0, 0, '{'});
  expect_input_error([&] { read_safetensors(dir / "cut.safetensors"); },
                     {dir / "cut.safetensors: truncated"});
  expect_input_error([&] { read_safetensors(dir / "none.safetensors"); },
                     {dir / "none.safetensors: cannot read"});
}

// Every truncation and every single-byte change of a valid file either parses to in-bounds tensors or
// raises InputError: nothing else escapes, nothing reads out of bounds.
TEST(SafetensorsValidation, MutationsNeverEscape) {
  const std::vector<uint8_t> original = test::file_bytes(test::io_data("safetensors/reference.safetensors"));
  auto check = [](std::vector<uint8_t> bytes) {
    try {
      const SafetensorsFile st = parse_safetensors(owned_bytes(std::move(bytes)), "mutant");
      for (const auto& entry : st.tensors) ASSERT_TRUE(entry.second.in_bounds());
    } catch (const InputError&) {
    }
  };
  for (size_t n = 0; n < original.size(); ++n)
    check(std::vector<uint8_t>(original.begin(), original.begin() + n));
  std::mt19937 rng(1);
  for (size_t i = 0; i < original.size(); ++i) {
    std::vector<uint8_t> bytes = original;
    bytes[i] = static_cast<uint8_t>(rng());
    check(bytes);
  }
}

}  // namespace
}  // namespace stylescope
