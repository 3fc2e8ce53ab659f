#include "core/io/zip_npz.h"

#include <cstring>

#include "core/io/npy.h"
#include "core/util/atomic_file.h"
#include "io_test_util.h"
#ifdef STYLESCOPE_HAVE_ZIP
#include "core/io/zip_archive.h"
#endif

namespace stylescope {
namespace {

using test::expect_input_error;
using test::TempDir;

#ifdef STYLESCOPE_HAVE_ZIP

void expect_reference_arrays(const std::map<std::string, RawTensor>& arrays) {
  const nlohmann::json expected = test::load_json("npz_expected.json");
  ASSERT_EQ(arrays.size(), 2u);
  const RawTensor& w = arrays.at("w");
  EXPECT_EQ(w.dtype, DType::Float32);
  EXPECT_EQ(w.shape, (std::vector<int64_t>{1, 4, 8}));
  const std::vector<float> values = w.to_float32();
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(values[i], static_cast<float>(test::hex_double(expected["w"]["values"][i])));
  }
  const RawTensor& labels = arrays.at("labels");
  EXPECT_EQ(labels.dtype, DType::Int64);
  std::vector<int64_t> ints(3);
  std::memcpy(ints.data(), labels.storage.data, 24);
  EXPECT_EQ(ints, expected["labels"]["values"].get<std::vector<int64_t>>());
}

TEST(Npz, ReadsNumpySavez) { expect_reference_arrays(read_npz(test::io_data("npz/stored.npz"))); }

TEST(Npz, ReadsNumpySavezCompressed) {
  expect_reference_arrays(read_npz(test::io_data("npz/compressed.npz")));
}

TEST(Npz, SkipsMembersThatAreNotArrays) {
  const auto arrays = read_npz(test::io_data("npz/with_text_member.npz"));
  ASSERT_EQ(arrays.size(), 1u);
  EXPECT_EQ(arrays.at("w").shape, (std::vector<int64_t>{2, 3, 4}));
}

TEST(Npz, ReadOneArray) {
  const RawTensor w = read_npz_array(test::io_data("npz/stored.npz"), "w");
  EXPECT_EQ(w.shape, (std::vector<int64_t>{1, 4, 8}));
  const std::string path = test::io_data("npz/stored.npz");
  expect_input_error([&] { read_npz_array(path, "ws"); },
                     {path + ": no array 'ws' in the archive (found 'labels', 'w')"});
}

TEST(Npz, WriteRoundTrip) {
  TempDir dir;
  std::vector<float> w(1 * 14 * 512);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>(i) * 0.25f - 100.0f;
  const std::vector<int64_t> seeds = {0, 42, 4294967295};
  for (bool compressed : {false, true}) {
    const std::string path = dir / (compressed ? "c.npz" : "s.npz");
    write_npz(path,
              {{"w", {DType::Float32, {1, 14, 512}, w.data()}}, {"seeds", {DType::Int64, {3}, seeds.data()}}},
              compressed);
    const auto arrays = read_npz(path);
    ASSERT_EQ(arrays.size(), 2u);
    EXPECT_EQ(arrays.at("w").to_float32(), w);
    EXPECT_EQ(std::memcmp(arrays.at("seeds").storage.data, seeds.data(), 24), 0);
    // Members are exactly the .npy files numpy would write, in the given order.
    const ZipReader zip = ZipReader::open(path);
    EXPECT_EQ(zip.names(), (std::vector<std::string>{"w.npy", "seeds.npy"}));
    const ByteBuffer member = zip.read(0);
    const std::vector<uint8_t> expected = encode_npy({DType::Float32, {1, 14, 512}, w.data()});
    ASSERT_EQ(member.size, expected.size());
    EXPECT_EQ(std::memcmp(member.data, expected.data(), expected.size()), 0);
  }
  EXPECT_LT(std::filesystem::file_size(dir / "c.npz"), std::filesystem::file_size(dir / "s.npz"));
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"c.npz", "s.npz"}));
  expect_input_error(
      [&] {
        write_npz(dir / "none/p.npz", {{"w", {DType::Float32, {1}, w.data()}}});
      },
      {dir / "none/p.npz: cannot write"});
  EXPECT_THROW(write_npz(dir / "d.npz",
                         {{"w", {DType::Float32, {1}, w.data()}}, {"w", {DType::Float32, {1}, w.data()}}}),
               std::invalid_argument);
}

TEST(NpzValidation, NotAZip) {
  TempDir dir;
  test::write_bytes(dir / "text.npz", {'h', 'e', 'l', 'l', 'o'});
  expect_input_error([&] { read_npz(dir / "text.npz"); }, {dir / "text.npz: not a zip archive"});
  expect_input_error([&] { read_npz(dir / "absent.npz"); }, {dir / "absent.npz: cannot read"});
  expect_input_error([&] { ZipReader::open(dir / "absent.zip"); }, {dir / "absent.zip: cannot read"});
}

TEST(NpzValidation, TruncatedArchives) {
  const std::vector<uint8_t> original = test::file_bytes(test::io_data("npz/compressed.npz"));
  for (size_t n = 0; n < original.size(); n += 7) {
    try {
      parse_npz(owned_bytes(std::vector<uint8_t>(original.begin(), original.begin() + n)), "cut.npz");
      ADD_FAILURE() << "truncated to " << n << " bytes but accepted";
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("cut.npz: ", 0), 0u) << e.what();
    }
  }
}

TEST(NpzValidation, CorruptMemberDataFailsTheCrc) {
  std::vector<uint8_t> bytes = test::file_bytes(test::io_data("npz/stored.npz"));
  // Stored members hold the .npy bytes verbatim: flip one byte of the first array's data.
  const std::vector<uint8_t> magic = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  const auto at = std::search(bytes.begin(), bytes.end(), magic.begin(), magic.end());
  ASSERT_NE(at, bytes.end());
  at[130] ^= 0x40;
  expect_input_error([&] { parse_npz(owned_bytes(bytes), "crc.npz"); }, {"crc.npz: member '", "CRC"});
}

TEST(NpzValidation, BadMemberNamesTheMember) {
  TempDir dir;
  const std::string garbage = "not an npy file at all";
  const std::vector<uint8_t> zip = build_zip({{"w.npy", garbage.data(), garbage.size()}}, false, "x");
  test::write_bytes(dir / "bad.npz", zip);
  expect_input_error([&] { read_npz(dir / "bad.npz"); }, {dir / "bad.npz: member 'w.npy': not a .npy file"});
}

#else

TEST(Npz, UnavailableWithoutLibzip) {
  EXPECT_THROW(read_npz("x.npz"), UnsupportedError);
  EXPECT_THROW(write_npz("x.npz", {}), UnsupportedError);
}

#endif

}  // namespace
}  // namespace stylescope
