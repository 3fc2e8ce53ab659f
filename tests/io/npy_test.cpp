#include "core/io/npy.h"

#include <cstring>
#include <random>
#include <stdexcept>

#include "core/util/atomic_file.h"
#include "io_test_util.h"

namespace stylescope {
namespace {

using test::expect_input_error;
using test::TempDir;

std::string to_hex(const std::string& bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

double element(const RawTensor& t, int64_t i) {
  const uint8_t* p = t.storage.data + (t.offset + i) * static_cast<int64_t>(dtype_size(t.dtype));
  switch (t.dtype) {
    case DType::Float64: {
      double v;
      std::memcpy(&v, p, 8);
      return v;
    }
    case DType::Int64: {
      int64_t v;
      std::memcpy(&v, p, 8);
      return static_cast<double>(v);
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
    case DType::UInt8:
    case DType::Bool:
      return *p;
    default:
      return t.to_float32()[static_cast<size_t>(i)];  // float32, float16
  }
}

// Reference files written by numpy itself: every dtype, scalars, empty arrays, Fortran order, versions.
TEST(Npy, ReadsNumpyFiles) {
  const nlohmann::json expected = test::load_json("npy_expected.json");
  ASSERT_GE(expected.size(), 16u);
  for (const auto& [file, info] : expected.items()) {
    SCOPED_TRACE(file);
    const RawTensor t = read_npy(test::io_data("npy/" + file));
    EXPECT_EQ(dtype_name(t.dtype), info["dtype"].get<std::string>());
    EXPECT_EQ(t.shape, info["shape"].get<std::vector<int64_t>>());
    EXPECT_TRUE(t.strides.empty());  // C-contiguous, also for Fortran-order files
    ASSERT_TRUE(t.in_bounds());
    const auto& values = info["values"];
    ASSERT_EQ(t.numel(), static_cast<int64_t>(values.size()));
    for (size_t i = 0; i < values.size(); ++i) {
      const double want = values[i].is_string() ? test::hex_double(values[i]) : values[i].get<double>();
      if (t.dtype == DType::Int64) {
        int64_t v;
        std::memcpy(&v, t.storage.data + 8 * i, 8);
        EXPECT_EQ(v, values[i].get<int64_t>()) << i;
      } else if (t.dtype == DType::Float32 || t.dtype == DType::Float16) {
        EXPECT_EQ(static_cast<float>(element(t, static_cast<int64_t>(i))), static_cast<float>(want)) << i;
      } else {
        EXPECT_EQ(element(t, static_cast<int64_t>(i)), want) << i;
      }
    }
  }
}

TEST(Npy, COrderIsZeroCopy) {
  const ByteBuffer bytes = read_file(test::io_data("npy/f4_c.npy"));
  const RawTensor t = parse_npy(bytes, "f4_c.npy");
  EXPECT_EQ(t.storage.owner, bytes.owner);
  EXPECT_EQ(t.storage.data, bytes.data + 128);  // numpy aligns the data to 64 bytes
}

TEST(Npy, RejectsUnsupportedNumpyFiles) {
  const std::string dir = test::io_data("npy_bad/");
  expect_input_error([&] { read_npy(dir + "big_endian.npy"); },
                     {dir + "big_endian.npy: ", "big-endian", "'>f4'"});
  expect_input_error([&] { read_npy(dir + "object.npy"); }, {dir + "object.npy: ", "object arrays"});
  expect_input_error([&] { read_npy(dir + "structured.npy"); }, {dir + "structured.npy: ", "structured"});
  expect_input_error([&] { read_npy(dir + "uint32.npy"); },
                     {dir + "uint32.npy: unsupported .npy dtype '<u4'"});
  expect_input_error([&] { read_npy(dir + "complex.npy"); }, {"unsupported .npy dtype '<c8'"});
}

// npy_header() reproduces numpy's bytes exactly, including the growth padding and the full-64 pad case.
TEST(Npy, HeaderMatchesNumpyBytes) {
  const nlohmann::json data = test::load_json("npy_headers.json");
  const std::map<std::string, DType> descrs = {
      {"<f4", DType::Float32}, {"<f8", DType::Float64}, {"<f2", DType::Float16},
      {"<i8", DType::Int64},   {"<i4", DType::Int32},   {"<i2", DType::Int16},
      {"|i1", DType::Int8},    {"|u1", DType::UInt8},   {"|b1", DType::Bool}};
  ASSERT_GT(data["cases"].size(), 100u);
  for (const auto& c : data["cases"]) {
    const std::vector<int64_t> shape = c["shape"].get<std::vector<int64_t>>();
    const std::string header = npy_header(descrs.at(c["descr"]), shape);
    EXPECT_EQ(to_hex(header), c["header_hex"].get<std::string>()) << c["descr"] << " " << shape_string(shape);
    EXPECT_EQ(header.size() % 64, 0u);
  }
  EXPECT_THROW(npy_header(DType::BFloat16, {1}), std::invalid_argument);
}

TEST(Npy, WriteRoundTrip) {
  TempDir dir;
  std::vector<float> w(14 * 512);
  std::mt19937 rng(3);
  for (float& v : w) v = std::normal_distribution<float>()(rng);
  write_npy(dir / "w.npy", {DType::Float32, {14, 512}, w.data()});
  const std::vector<uint8_t> bytes = test::file_bytes(dir / "w.npy");
  const std::string header = npy_header(DType::Float32, {14, 512});
  ASSERT_EQ(bytes.size(), header.size() + w.size() * 4);
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + header.size()), header);
  const RawTensor t = read_npy(dir / "w.npy");
  EXPECT_EQ(t.shape, (std::vector<int64_t>{14, 512}));
  EXPECT_EQ(t.to_float32(), w);

  const std::vector<double> d = {1.0 / 3, -2e300};
  const std::vector<uint8_t> u = {0, 128, 255};
  const std::vector<int64_t> i = {INT64_MIN, INT64_MAX};
  write_npy(dir / "d.npy", {DType::Float64, {2}, d.data()});
  write_npy(dir / "u.npy", {DType::UInt8, {1, 3}, u.data()});
  write_npy(dir / "i.npy", {DType::Int64, {2}, i.data()});
  write_npy(dir / "e.npy", {DType::Float32, {0, 512}, nullptr});
  EXPECT_EQ(std::memcmp(read_npy(dir / "d.npy").storage.data, d.data(), 16), 0);
  EXPECT_EQ(std::memcmp(read_npy(dir / "u.npy").storage.data, u.data(), 3), 0);
  EXPECT_EQ(std::memcmp(read_npy(dir / "i.npy").storage.data, i.data(), 16), 0);
  EXPECT_EQ(read_npy(dir / "e.npy").shape, (std::vector<int64_t>{0, 512}));
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"d.npy", "e.npy", "i.npy", "u.npy", "w.npy"}));

  const std::vector<uint8_t> encoded = encode_npy({DType::UInt8, {1, 3}, u.data()});
  EXPECT_EQ(encoded, test::file_bytes(dir / "u.npy"));
  expect_input_error(
      [&] {
        write_npy(dir / "no/dir/x.npy", {DType::UInt8, {1, 3}, u.data()});
      },
      {dir / "no/dir/x.npy: cannot write"});
}

// A .npy from a header dict (padded like numpy) followed by `data_size` bytes.
ByteBuffer craft(const std::string& dict, size_t data_size, int major = 1) {
  std::string header = dict;
  const size_t prefix = major == 1 ? 10 : 12;
  header.append(64 - (prefix + header.size() + 1) % 64, ' ');
  header += '\n';
  std::string bytes = std::string("\x93NUMPY", 6) + static_cast<char>(major) + '\0';
  for (size_t i = 0; i < prefix - 8; ++i) bytes += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  bytes += header + std::string(data_size, '\0');
  return owned_bytes(std::vector<uint8_t>(bytes.begin(), bytes.end()));
}

void expect_rejected(const ByteBuffer& bytes, const std::vector<std::string>& fragments) {
  std::vector<std::string> all = {"bad.npy: "};
  all.insert(all.end(), fragments.begin(), fragments.end());
  expect_input_error([&] { parse_npy(bytes, "bad.npy"); }, all);
}

TEST(NpyValidation, Crafted) {
  const std::string ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  EXPECT_EQ(parse_npy(craft(ok, 24), "ok").shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(parse_npy(craft(ok, 30), "ok").numel(), 6);  // trailing bytes are ignored, as numpy does
  EXPECT_EQ(parse_npy(craft(ok, 24, 2), "ok").numel(), 6);
  expect_rejected(owned_bytes({'P', 'K', 3, 4, 0, 0, 0, 0}), {"not a .npy file"});
  expect_rejected(owned_bytes({}), {"not a .npy file"});
  {
    const ByteBuffer full = craft(ok, 24);
    std::vector<uint8_t> bytes(full.data, full.data + 8);
    bytes[6] = 4;
    expect_rejected(owned_bytes(bytes), {"unsupported .npy version 4.0"});
  }
  {
    const ByteBuffer full = craft(ok, 24);
    expect_rejected(owned_bytes(std::vector<uint8_t>(full.data, full.data + 40)), {"truncated .npy header"});
    expect_rejected(owned_bytes(std::vector<uint8_t>(full.data, full.data + 9)), {"truncated .npy header"});
  }
  expect_rejected(craft(ok, 20), {"truncated .npy data", "needs 24 bytes", "holds 20"});
  expect_rejected(craft("{'descr': '<f4', 'shape': (2, 3), }", 24),
                  {"expected the keys", "found 'descr', 'shape'"});
  expect_rejected(craft("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", 8),
                  {"expected the keys"});
  expect_rejected(craft("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", 8),
                  {"'fortran_order' is not a bool"});
  expect_rejected(craft("{'descr': '<f4', 'fortran_order': False, 'shape': [2], }", 8),
                  {"'shape' is not a tuple"});
  expect_rejected(craft("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", 8), {"non-negative"});
  expect_rejected(craft("{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,), }", 8), {"shape"});
  expect_rejected(craft("{'descr': '<f4', 'fortran_order': False, 'shape': ('a',), }", 8),
                  {"non-negative ints"});
  expect_rejected(craft("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", 8),
                  {"too large"});
  expect_rejected(craft("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", 8),
                  {"too large"});
  expect_rejected(craft("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), ", 8), {"bad .npy header"});
  expect_rejected(craft("{'descr': '<f4' 'fortran_order': False, 'shape': (2,), }", 8), {"bad .npy header"});
  expect_rejected(craft("{'descr': __import__('os'), 'fortran_order': False, 'shape': (2,), }", 8),
                  {"bad .npy header"});
  expect_rejected(craft("[" + std::string(100, '(') + "]", 8), {"bad .npy header"});
  expect_rejected(
      craft("{'descr': " + std::string(100, '(') + ", 'fortran_order': False, 'shape': (2,), }", 8),
      {"nests too deeply"});
}

TEST(NpyValidation, MutationsNeverEscape) {
  const std::vector<uint8_t> original = test::file_bytes(test::io_data("npy/fortran_f4.npy"));
  auto check = [](std::vector<uint8_t> bytes) {
    try {
      ASSERT_TRUE(parse_npy(owned_bytes(std::move(bytes)), "mutant").in_bounds());
    } catch (const InputError&) {
    }
  };
  for (size_t n = 0; n < original.size(); ++n)
    check(std::vector<uint8_t>(original.begin(), original.begin() + n));
  std::mt19937 rng(2);
  for (size_t i = 0; i < 128; ++i) {
    for (int k = 0; k < 4; ++k) {
      std::vector<uint8_t> bytes = original;
      bytes[i] = static_cast<uint8_t>(rng());
      check(bytes);
    }
  }
}

}  // namespace
}  // namespace stylescope
