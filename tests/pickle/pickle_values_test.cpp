// Pickles written by CPython's own pickler in every protocol (0-5) read back to the same data.
#include <gtest/gtest.h>

#include "tests/pickle/pickle_test_util.h"

namespace stylescope::pickle::test {
namespace {

using namespace std::string_literals;

class ProtocolTest : public ::testing::TestWithParam<int> {
 protected:
  std::string file(const std::string& stem) const {
    return stem + "_p" + std::to_string(GetParam()) + ".pkl";
  }
};

// Points at the first difference instead of printing two 30 KB strings.
void expect_same_text(const std::string& actual, const std::string& expected) {
  if (actual == expected) return;
  size_t i = 0;
  while (i < actual.size() && i < expected.size() && actual[i] == expected[i]) ++i;
  const size_t from = i > 60 ? i - 60 : 0;
  ADD_FAILURE() << "differs at character " << i << "\n  actual:   ..." << actual.substr(from, 140)
                << "\n  expected: ..." << expected.substr(from, 140);
}

using ValuesTest = ProtocolTest;

TEST_P(ValuesTest, MatchesPythonsCanonicalForm) {
  const std::string bytes = read_data(file("values"));
  std::string expected = read_data("values.txt");
  ASSERT_FALSE(expected.empty());
  expected.pop_back();  // trailing newline
  auto doc = document(bytes);
  expect_same_text(canon(*doc->load()), expected);
}

TEST_P(ValuesTest, KeepsSharedAndRecursiveReferences) {
  const std::string bytes = read_data(file("values"));
  auto doc = document(bytes);
  const Value* root = doc->load();
  const Value* shared = root->find("shared");
  ASSERT_NE(shared, nullptr);
  ASSERT_EQ(shared->items.size(), 2u);
  EXPECT_EQ(shared->items[0], shared->items[1]);  // one value, two parents (memo)
  const Value* recursive = root->find("recursive");
  ASSERT_NE(recursive, nullptr);
  ASSERT_EQ(recursive->items.size(), 1u);
  EXPECT_EQ(recursive->items[0], recursive);
}

TEST_P(ValuesTest, BigIntegersAreComparable) {
  const std::string bytes = read_data(file("values"));
  auto doc = document(bytes);
  const Value* ints = doc->load()->find("ints");
  ASSERT_NE(ints, nullptr);
  // The legacy torch magic number 0x1950a86a20f9469cfc6c, as minimal little-endian two's complement.
  const Value* magic = ints->items.at(16);
  EXPECT_EQ(magic->kind, Kind::BigInt);
  EXPECT_EQ(magic->text, std::string_view("\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 10));
  EXPECT_EQ(int_to_decimal(*magic), "119547037146038801333356");
  EXPECT_EQ(ints->items.at(11)->kind, Kind::Int);  // 2**63 - 1
  EXPECT_EQ(ints->items.at(12)->integer, INT64_MIN);
  EXPECT_EQ(ints->items.at(13)->kind, Kind::BigInt);  // 2**63
  EXPECT_EQ(ints->items.at(14)->kind, Kind::BigInt);  // -2**63 - 1
}

INSTANTIATE_TEST_SUITE_P(Protocols, ValuesTest, ::testing::Range(0, 6));

using ObjectsTest = ProtocolTest;

const Value& entry(const Value& dict, const char* key) {
  const Value* v = dict.find(key);
  if (v == nullptr) throw std::runtime_error(std::string("missing key ") + key);
  return *v;
}

TEST_P(ObjectsTest, RecordsCallsWithoutMakingThem) {
  const int protocol = GetParam();
  const std::string bytes = read_data(file("objects"));
  auto doc = document(bytes);
  const Value& root = *doc->load();

  // Instances: NEWOBJ + BUILD (protocol >= 2) or copyreg._reconstructor + BUILD (0, 1): the same record.
  const Value& plain = entry(root, "plain");
  ASSERT_TRUE(plain.is_call_of("stylescope_fake", "Plain"));
  EXPECT_EQ(plain.object->how, Construct::NewObj);
  EXPECT_TRUE(plain.args().empty());
  ASSERT_NE(plain.object->state, nullptr);
  EXPECT_EQ(canon(*plain.object->state), "{u\"a\": 1, u\"b\": [1, 2]}");

  const Value& newargs = entry(root, "newargs");  // NEWOBJ, or REDUCE(copyreg.__newobj__) below protocol 2
  ASSERT_TRUE(newargs.is_call_of("stylescope_fake", "WithNewArgs"));
  EXPECT_EQ(newargs.object->how, Construct::NewObj);
  EXPECT_EQ(canon(*newargs.object->args), "(3, u\"x\")");

  const Value& kwargs = entry(root, "kwargs");
  if (protocol == 2 || protocol == 3) {  // the pickler calls functools.partial(object.__new__, ...)() there
    ASSERT_EQ(kwargs.kind, Kind::Object);
    EXPECT_TRUE(kwargs.object->callable->is_call_of("functools", "partial"));
  } else {  // NEWOBJ_EX, or REDUCE(copyreg.__newobj_ex__)
    ASSERT_TRUE(kwargs.is_call_of("stylescope_fake", "WithKwargs"));
    EXPECT_EQ(kwargs.object->how, Construct::NewObjEx);
    EXPECT_EQ(canon(*kwargs.object->args), "(1)");
    EXPECT_EQ(canon(*kwargs.object->kwargs), "{u\"k\": 2}");
  }

  const Value& dictsub = entry(root, "dictsub");
  ASSERT_TRUE(dictsub.is_call_of("stylescope_fake", "DictSub"));
  ASSERT_EQ(dictsub.object->dict_items.size(), 1u);
  EXPECT_TRUE(dictsub.object->dict_items[0].first->is_string("x"));
  EXPECT_EQ(dictsub.object->dict_items[0].second->integer, 1);

  const Value& listsub = entry(root, "listsub");
  ASSERT_TRUE(listsub.is_call_of("stylescope_fake", "ListSub"));
  ASSERT_EQ(listsub.object->list_items.size(), 2u);
  EXPECT_EQ(listsub.object->list_items[1]->integer, 2);

  const Value& items = entry(root, "items");  // __reduce__ with state, listitems and dictitems
  ASSERT_TRUE(items.is_call_of("stylescope_fake", "WithItems"));
  EXPECT_EQ(items.object->how, Construct::Reduce);
  EXPECT_EQ(canon(*items.object->state), "{u\"s\": 1}");
  ASSERT_EQ(items.object->list_items.size(), 2u);
  EXPECT_EQ(items.object->list_items[0]->integer, 10);
  ASSERT_EQ(items.object->dict_items.size(), 1u);
  EXPECT_TRUE(items.object->dict_items[0].second->is_string("v"));

  const Value& evil = entry(root, "evil");  // os.system: recorded, never run
  ASSERT_TRUE(evil.is_call_of("posix", "system"));
  EXPECT_EQ(describe(evil), "posix.system(...)");
  ASSERT_EQ(evil.args().size(), 1u);
  EXPECT_EQ(evil.args()[0]->text, "touch /tmp/stylescope-pickle-test-pwned");

  EXPECT_TRUE(entry(root, "class").is_global("stylescope_fake", "Plain"));
  EXPECT_TRUE(entry(root, "function").is_global("posixpath", "join"));
}

INSTANTIATE_TEST_SUITE_P(Protocols, ObjectsTest, ::testing::Range(0, 6));

TEST(PickleDocument, ReadsConsecutivePickles) {
  // Two pickles back to back, as in a legacy torch.save stream.
  const std::string bytes = "\x80\x02K\x07.\x80\x02X\x02\x00\x00\x00hi."s;
  auto doc = document(bytes);
  size_t end = 0;
  EXPECT_EQ(doc->load(0, &end)->integer, 7);
  EXPECT_EQ(end, 5u);
  EXPECT_TRUE(doc->load(end, &end)->is_string("hi"));
  EXPECT_EQ(end, bytes.size());
  expect_input_error([&] { doc->load(end); },
                     {"test.pkl: byte " + std::to_string(bytes.size()), "ends before STOP"});
}

TEST(PickleDocument, BytesAreViewsIntoTheInput) {
  const std::string bytes = read_data("values_p4.pkl");
  auto doc = document(bytes);
  const Value* all = doc->load()->find("bytes");
  ASSERT_NE(all, nullptr);
  const Value* big = all->items.at(3);
  ASSERT_EQ(big->kind, Kind::Bytes);
  EXPECT_GE(big->text.data(), bytes.data());
  EXPECT_LT(big->text.data(), bytes.data() + bytes.size());
}

}  // namespace
}  // namespace stylescope::pickle::test
