// Legacy torch.save storage streams and tensor records, decoded without torch.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/io/pickle/torch_storage.h"
#include "tests/pickle/pickle_test_util.h"

namespace stylescope::pickle::test {
namespace {

using namespace std::string_literals;

LegacyStorage decode(const ByteBuffer& buffer, size_t base = 0) {
  return decode_legacy_storage(buffer, "stream.bin", base);
}

std::vector<float> values(const LegacyStorage& s) {
  RawTensor t;
  t.dtype = s.dtype;
  t.shape = {s.numel};
  t.storage = s.bytes;
  return t.to_float32();
}

TEST(LegacyStorage, ReadsWhatTorchWrites) {
  const ByteBuffer stream = to_buffer(read_data("storage_torch.bin"));
  const LegacyStorage s = decode(stream);
  EXPECT_EQ(s.dtype, DType::Float32);
  EXPECT_EQ(s.numel, 4);
  EXPECT_EQ(values(s), (std::vector<float>{0, 1, 2, 3}));
  EXPECT_EQ(s.bytes.owner, stream.owner);  // a view, no copy
  EXPECT_GT(s.bytes.data, stream.data);
  EXPECT_LE(s.bytes.data + s.bytes.size, stream.data + stream.size);
}

TEST(LegacyStorage, ViewsAndOtherDtypes) {
  const LegacyStorage view = decode(to_buffer(read_data("storage_view.bin")));
  EXPECT_EQ(values(view), (std::vector<float>{1, 2}));  // view (key, offset 1, size 2) of [0, 1, 2, 3]
  const LegacyStorage half = decode(to_buffer(read_data("storage_half.bin")));
  EXPECT_EQ(half.dtype, DType::Float16);
  EXPECT_EQ(values(half), (std::vector<float>{1.5f, -2.0f}));
  DType d;
  ASSERT_TRUE(storage_dtype("BFloat16Storage", d));
  EXPECT_EQ(d, DType::BFloat16);
  EXPECT_FALSE(storage_dtype("ComplexFloatStorage", d));
}

TEST(LegacyStorage, RefusesBrokenStreams) {
  struct Case {
    const char* file;
    std::vector<std::string> parts;
    bool unsupported;
  };
  const Case cases[] = {
      {"storage_zip.bin", {"stream.bin: byte 1000: storage is a zip-format torch.save archive"}, true},
      {"storage_bad_magic.bin", {"byte 1000: not a legacy torch.save stream (magic number is int"}, false},
      {"storage_bad_version.bin",
       {"unsupported torch.save protocol version int 1000 (expected 1001)"},
       false},
      {"storage_big_endian.bin", {"big-endian torch storage is not supported"}, true},
      {"storage_count_mismatch.bin", {"storage holds 3 elements, its persistent id says 4"}, false},
      {"storage_negative_count.bin", {"storage of -1 elements does not fit"}, false},
      {"storage_huge_count.bin",
       {"storage of 4611686018427387904 elements does not fit the 0 bytes left"},
       false},
      {"storage_missing_key.bin", {"storage '0' is missing from the key list"}, false},
      {"storage_unknown_key.bin", {"storage key list names an unknown storage str '7'"}, false},
      {"storage_bad_class.bin", {"unsupported storage class the global torch.ComplexFloatStorage"}, true},
      {"storage_not_storage.bin",
       {"expected the persistent id ('storage', class, key, location, numel, view)"},
       false},
      {"storage_view_outside.bin", {"storage view [3, +2) is outside its storage of 4 elements"}, false},
      {"storage_truncated.bin", {"storage of 4 elements does not fit the 13 bytes left"}, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    const ByteBuffer stream = to_buffer(read_data(c.file));
    try {
      decode(stream, 1000);
      ADD_FAILURE() << "accepted";
    } catch (const UnsupportedError& e) {
      EXPECT_TRUE(c.unsupported) << e.what();
      expect_input_error([&] { throw e; }, c.parts);
    } catch (const InputError& e) {
      EXPECT_FALSE(c.unsupported) << e.what();
      expect_input_error([&] { throw e; }, c.parts);
    }
  }
  // Every truncation of a valid stream.
  const std::string bytes = read_data("storage_torch.bin");
  for (size_t len = 0; len < bytes.size(); ++len) {
    expect_input_error([&] { decode(to_buffer(bytes.substr(0, len))); });
  }
}

TEST(TorchTensors, EveryDtypeStrideAndOffset) {
  const ByteBuffer file = to_buffer(read_data("tensors.pkl"));
  const nlohmann::json expected = nlohmann::json::parse(read_data("tensors_expected.json"));
  PickleDocument doc(file.data, file.size, "tensors.pkl");
  const Value* root = doc.load();
  TorchTensorDecoder decoder(file, nullptr, "tensors.pkl");
  std::map<std::string, RawTensor> tensors;
  for (const auto& [name, e] : expected.items()) {
    SCOPED_TRACE(name);
    const Value* v = root->find(name);
    ASSERT_NE(v, nullptr);
    ASSERT_TRUE(TorchTensorDecoder::is_tensor_record(*v));
    const RawTensor t = decoder.tensor(*v, name);
    EXPECT_EQ(dtype_name(t.dtype), e["dtype"].get<std::string>());
    EXPECT_EQ(t.shape, e["shape"].get<std::vector<int64_t>>());
    EXPECT_EQ(t.strides, e["stride"].get<std::vector<int64_t>>());
    EXPECT_EQ(t.offset, e["offset"].get<int64_t>());
    const std::vector<float> got = t.to_float32();
    const auto want = e["values"].get<std::vector<double>>();
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) EXPECT_FLOAT_EQ(got[i], static_cast<float>(want[i])) << i;
    EXPECT_GE(t.storage.data, file.data);  // zero-copy views of the file
    EXPECT_LE(t.storage.data + t.storage.size, file.data + file.size);
    tensors[name] = t;
  }
}

// REDUCE(_load_from_bytes, (stream,))
std::string storage_record(const std::string& stream) {
  const uint32_t n = static_cast<uint32_t>(stream.size());
  std::string len(4, '\0');
  for (int i = 0; i < 4; ++i) len[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return "ctorch.storage\n_load_from_bytes\nB" + len + stream + "\x85R";
}

// REDUCE(_rebuild_tensor_v2, (storage, offset, size, stride, False, None)), without STOP.
std::string tensor_record(const std::string& storage, const std::string& offset, const std::string& size,
                          const std::string& stride) {
  return "ctorch._utils\n_rebuild_tensor_v2\n(" + storage + offset + size + stride + "\x89NtR";
}

std::string tensor_pickle(const std::string& stream, const std::string& offset, const std::string& size,
                          const std::string& stride) {
  return tensor_record(storage_record(stream), offset, size, stride) + ".";
}

TEST(TorchTensors, RecordsMustFitTheirStorage) {
  const std::string stream = read_data("storage_torch.bin");  // 4 float32 elements
  auto tensor = [&](const std::string& offset, const std::string& size, const std::string& stride) {
    const ByteBuffer file = to_buffer(tensor_pickle(stream, offset, size, stride));
    PickleDocument doc(file.data, file.size, "t.pkl");
    const Value* v = doc.load();
    return TorchTensorDecoder(file, nullptr, "t.pkl").tensor(*v, "x.weight");
  };
  EXPECT_EQ(tensor("K\x00"s, "K\x02\x85", "K\x02\x85").to_float32(), (std::vector<float>{0, 2}));
  EXPECT_EQ(tensor("K\x03", ")", ")").to_float32(), (std::vector<float>{3}));  // 0-dim at offset 3
  expect_input_error(
      [&] { tensor("K\x00"s, "K\x05\x85", "K\x01\x85"); },
      {"t.pkl: tensor at x.weight (shape [5], stride [1], offset 0) reaches outside its storage of 4"});
  expect_input_error([&] { tensor("K\x01", "K\x04\x85", "K\x01\x85"); }, {"reaches outside its storage"});
  expect_input_error([&] { tensor("K\x00"s, "K\x03\x85", "K\x02\x85"); }, {"reaches outside its storage"});
  expect_input_error([&] { tensor("K\x00"s, "J\xff\xff\xff\xff\x85", "K\x01\x85"); },
                     {"malformed tensor record at x.weight"});
  expect_input_error([&] { tensor("K\x00"s, "K\x01K\x01\x86", "K\x01\x85"); }, {"malformed tensor record"});
  expect_input_error([&] { tensor("J\xff\xff\xff\xff", "K\x01\x85", "K\x01\x85"); },
                     {"malformed tensor record"});
  // A broken nested stream names the tensor and the absolute byte offset in the file.
  std::string broken = stream;
  broken[5] ^= 1;  // inside the magic number
  const std::string bytes = tensor_pickle(broken, "K\x00"s, "K\x01\x85", "K\x01\x85");
  const size_t stream_at = bytes.find(broken);
  const ByteBuffer file = to_buffer(bytes);
  PickleDocument doc(file.data, file.size, "t.pkl");
  const Value* v = doc.load();
  expect_input_error([&] { TorchTensorDecoder(file, nullptr, "t.pkl").tensor(*v, "x.weight"); },
                     {"t.pkl: byte " + std::to_string(stream_at) + ": not a legacy torch.save stream",
                      "(storage of x.weight)"});
}

TEST(TorchTensors, SharedStoragesAreDecodedOnce) {
  // torch 1.13 writes each tensor's storage anew, but a memo reference to one storage must work too.
  const std::string stream = read_data("storage_torch.bin");
  const std::string bytes =
      "(" + tensor_record(storage_record(stream) + "q\x01", "K\x00"s, "K\x02\x85", "K\x01\x85") +
      tensor_record("h\x01", "K\x02", "K\x02\x85", "K\x01\x85") + "l.";
  const ByteBuffer file = to_buffer(bytes);
  PickleDocument doc(file.data, file.size, "t.pkl");
  const Value* list = doc.load();
  ASSERT_EQ(list->items.size(), 2u);
  TorchTensorDecoder decoder(file, nullptr, "t.pkl");
  const RawTensor a = decoder.tensor(*list->items[0], "a");
  const RawTensor b = decoder.tensor(*list->items[1], "b");
  EXPECT_EQ(a.storage.data, b.storage.data);
  EXPECT_EQ(a.to_float32(), (std::vector<float>{0, 1}));
  EXPECT_EQ(b.to_float32(), (std::vector<float>{2, 3}));
}

TEST(TorchTensors, OtherValuesAreNotTensors) {
  const std::string bytes = read_data("objects_p4.pkl");
  auto doc = document(bytes);
  const Value& evil = *doc->load()->find("evil");
  EXPECT_FALSE(TorchTensorDecoder::is_tensor_record(evil));
  TorchTensorDecoder decoder(to_buffer(bytes), nullptr, "objects.pkl");
  expect_input_error([&] { decoder.tensor(evil, "G.w"); },
                     {"objects.pkl: expected a tensor at G.w, found posix.system(...)"});
}

}  // namespace
}  // namespace stylescope::pickle::test
