// Hand-assembled pickles for the opcodes CPython's pickler rarely or never writes, and for the ones the
// reader refuses. (Adjacent literals keep hex escapes from swallowing the next character.)
#include <gtest/gtest.h>

#include <cmath>

#include "tests/pickle/pickle_test_util.h"

namespace stylescope::pickle::test {
namespace {

using namespace std::string_literals;

class Opcodes : public ::testing::Test {
 protected:
  const Value& load(std::string bytes) {
    inputs_.push_back(std::make_unique<std::string>(std::move(bytes)));
    docs_.push_back(document(*inputs_.back(), "hand.pkl"));
    return *docs_.back()->load();
  }
  std::string error(const std::string& bytes, const std::vector<std::string>& parts) {
    return expect_input_error([&] { load(bytes); }, parts);
  }
  std::string c(const Value& v) { return canon(v); }

 private:
  std::vector<std::unique_ptr<std::string>> inputs_;
  std::vector<std::unique_ptr<PickleDocument>> docs_;
};

TEST_F(Opcodes, TextIntegersAndBooleans) {
  EXPECT_EQ(c(load("I01\n.")), "True");  // protocol 0 booleans
  EXPECT_EQ(c(load("I00\n.")), "False");
  EXPECT_EQ(c(load("I42\n.")), "42");
  EXPECT_EQ(c(load("I-7\n.")), "-7");
  EXPECT_EQ(c(load("I0x1f\n.")), "31");  // int(text, 0)
  EXPECT_EQ(c(load("I1_000\n.")), "1000");
  EXPECT_EQ(c(load("I 5 \n.")), "5");
  EXPECT_EQ(c(load("I99999999999999999999\n.")), "99999999999999999999");
  EXPECT_EQ(c(load("L123L\n.")), "123");
  EXPECT_EQ(c(load("L-99999999999999999999L\n.")), "-99999999999999999999");
  EXPECT_EQ(c(load("L0\n.")), "0");
  error("Iabc\n.", {"hand.pkl: byte 0: invalid integer literal 'abc'"});
  error("I010\n.", {"leading zeros"});
  error("I1__0\n.", {"invalid integer literal"});
  error("I12", {"truncated INT argument (no end of line)"});
  error("I" + std::string(5000, '9') + "\n.", {"more than 4300 digits"});
}

TEST_F(Opcodes, BinaryIntegers) {
  EXPECT_EQ(c(load("J\xff\xff\xff\xff.")), "-1");  // BININT is signed
  EXPECT_EQ(c(load("K\xff.")), "255");             // BININT1 unsigned
  EXPECT_EQ(c(load("M\xff\xff.")), "65535");       // BININT2 unsigned
  EXPECT_EQ(c(load("\x8a\x00."s)), "0");
  EXPECT_EQ(c(load("\x8a\x01\xff.")), "-1");
  EXPECT_EQ(c(load("\x8a\x03\x01\x00\x00."s)), "1");  // redundant sign bytes
  EXPECT_EQ(c(load("\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x80\x00."s)), "9223372036854775808");
  EXPECT_EQ(c(load("\x8b\x02\x00\x00\x00\x00\x80."s)), "-32768");
  const Value& big = load("\x8b\x0c\x00\x00\x00"s + std::string(11, '\xff') + "\x7f.");
  EXPECT_EQ(big.kind, Kind::BigInt);
  EXPECT_EQ(int_to_decimal(big), "39614081257132168796771975167");  // 2**95 - 1
  error("\x8b\xff\xff\xff\xff.", {"LONG4 with a negative byte count"});
  error("\x8b\x00\x00\x00\x10."s, {"truncated LONG4 (needs 268435456 bytes, 1 left)"});
}

TEST_F(Opcodes, Floats) {
  EXPECT_EQ(load("F1.5\n.").real, 1.5);
  EXPECT_EQ(load("F-2.5e3\n.").real, -2500.0);
  EXPECT_TRUE(std::isinf(load("Finf\n.").real));
  EXPECT_TRUE(std::isnan(load("Fnan\n.").real));
  EXPECT_TRUE(std::isinf(load("F1e999\n.").real));
  EXPECT_EQ(load("F1e-999\n.").real, 0.0);
  EXPECT_EQ(load("G?\xf8\x00\x00\x00\x00\x00\x00."s).real, 1.5);  // BINFLOAT: big-endian
  error("Fx1\n.", {"invalid float literal 'x1'"});
  error("F1.5(\n.", {"invalid float literal"});
  error("G?\xf8\x00.", {"truncated BINFLOAT"});
}

TEST_F(Opcodes, Strings) {
  EXPECT_EQ(c(load("S'a\\n\\x41\\101\\q'\n.")), "u\"a\\x0aAA\\x5cq\"");  // escape_decode
  EXPECT_EQ(c(load("S\"x\"\n.")), "u\"x\"");
  EXPECT_EQ(c(load("T\x03\x00\x00\x00"
                   "abc."s)),
            "u\"abc\"");
  EXPECT_EQ(c(load("U\x01\xe9.")), "u\"\\xc3\\xa9\"");  // py2 str: latin-1
  EXPECT_EQ(c(load("Vcaf\\u00e9 \\U0001f600\n.")), "u\"caf\\xc3\\xa9 \\xf0\\x9f\\x98\\x80\"");
  EXPECT_EQ(c(load("V\\\\u0041\n.")), "u\"\\x5c\\x5cu0041\"");  // an even run of backslashes is no escape
  EXPECT_EQ(c(load("X\x02\x00\x00\x00"
                   "hi."s)),
            "u\"hi\"");
  EXPECT_EQ(c(load("\x8c\x02hi.")), "u\"hi\"");
  EXPECT_EQ(c(load("\x8d\x02\x00\x00\x00\x00\x00\x00\x00"
                   "hi."s)),
            "u\"hi\"");  // BINUNICODE8
  error("Sabc\n.", {"must be quoted"});
  error("S'abc\n.", {"must be quoted"});
  error("S'a\\x4'\n.", {"invalid \\x escape"});
  error("S'a\\'\n.", {"trailing \\"});
  error("V\\u00\n.", {"truncated \\uXXXX escape"});
  error("V\\U00110000\n.", {"out of range"});
  error("V\\ud800\n.", {"lone surrogate"});
  error("X\x01\x00\x00\x00\xff."s, {"not valid UTF-8"});
  error("\x8c\x03\xed\xa0\x80.", {"not valid UTF-8"});  // encoded surrogate
  error("T\xff\xff\xff\xff.", {"BINSTRING with a negative length"});
  error(
      "X\x10\x00\x00\x00"
      "abc"s,
      {"hand.pkl: byte 0: truncated BINUNICODE (needs 16 bytes, 3 left)"});
}

TEST_F(Opcodes, Bytes) {
  EXPECT_EQ(c(load("C\x02\x00\xff."s)), "b\"\\x00\\xff\"");
  EXPECT_EQ(c(load("B\x01\x00\x00\x00z."s)), "b\"z\"");
  EXPECT_EQ(c(load("\x8e\x01\x00\x00\x00\x00\x00\x00\x00z."s)), "b\"z\"");   // BINBYTES8
  EXPECT_EQ(c(load("\x96\x01\x00\x00\x00\x00\x00\x00\x00z."s)), "ba\"z\"");  // BYTEARRAY8
  // An absurd length is checked against the input before anything is allocated.
  error("\x8e\xff\xff\xff\xff\xff\xff\xff\x7f"s,
        {"truncated BINBYTES8 (needs 9223372036854775807 bytes, 0 left)"});
  error("\x96\xff\xff\xff\xff\xff\xff\xff\xff"s, {"truncated BYTEARRAY8"});
}

TEST_F(Opcodes, StackAndMarks) {
  EXPECT_EQ(c(load("K\x01K\x02"
                   "0.")),
            "1");  // POP
  EXPECT_EQ(c(load("K\x01(K\x02K\x03"
                   "1.")),
            "1");  // POP_MARK
  EXPECT_EQ(c(load("K\x01"
                   "2\x86.")),
            "(1, 1)");                  // DUP, TUPLE2
  EXPECT_EQ(c(load("K\x01(0.")), "1");  // POP with nothing above a MARK drops the MARK
  EXPECT_EQ(c(load("(K\x01K\x02K\x03K\x04t.")), "(1, 2, 3, 4)");
  EXPECT_EQ(c(load("K\x01K\x02K\x03\x87.")), "(1, 2, 3)");
  EXPECT_EQ(c(load("K\x01\x85)\x86.")), "((1), ())");
  EXPECT_EQ(c(load("(K\x01K\x02l.")), "[1, 2]");
  EXPECT_EQ(c(load("](K\x01K\x02"
                   "e.")),
            "[1, 2]");
  EXPECT_EQ(c(load("(K\x01K\x02"
                   "d.")),
            "{1: 2}");
  EXPECT_EQ(c(load("}K\x01K\x02s.")), "{1: 2}");
  EXPECT_EQ(c(load("\x8f(K\x01\x90.")), "set{1}");  // EMPTY_SET, ADDITEMS
  EXPECT_EQ(c(load("(K\x01\x91.")), "frozenset{1}");
  EXPECT_EQ(c(load("N\x88\x89\x87.")), "(None, True, False)");
  error(".", {"stack underflow in STOP"});
  error("(.", {"stack underflow in STOP"});  // the MARK fences the stack
  error("K\x01(\x85.", {"stack underflow in TUPLE1"});
  error("t.", {"TUPLE without a MARK"});
  error(
      "(K\x01"
      "a.",
      {"stack underflow in APPEND"});
  error(
      "(K\x01"
      "e.",
      {"stack underflow in APPENDS"});
  error("1.", {"POP_MARK without a MARK"});
  error("0.", {"stack underflow in POP"});
  error("2.", {"stack underflow in DUP"});
  error(
      "(K\x01"
      "d.",
      {"DICT with an odd number of items"});
  error("}(K\x01u.", {"SETITEMS with an odd number of items"});
  error(
      ")K\x01"
      "a.",
      {"APPEND(S) to a tuple of 0 items"});
  error("K\x05(K\x01K\x02u.", {"SETITEM(S) on int 5"});
  error("(K\x01\x91(K\x02\x90.", {"ADDITEMS to a frozenset"});
  error(
      "K\x01K\x02"
      "b.",
      {"BUILD on int 1"});
}

TEST_F(Opcodes, Memo) {
  EXPECT_EQ(c(load("K\x07p3\n0g3\n.")), "7");  // PUT/GET (text)
  EXPECT_EQ(c(load("K\x07q\x05"
                   "0h\x05.")),
            "7");  // BINPUT/BINGET
  EXPECT_EQ(c(load("K\x07r\xff\xff\xff\xff"
                   "0j\xff\xff\xff\xff.")),
            "7");  // no 4e9-slot memo
  EXPECT_EQ(c(load("K\x07\x94"
                   "0h\x00."s)),
            "7");  // MEMOIZE
  EXPECT_EQ(c(load("]\x94h\x00"
                   "a."s)),
            "[<cycle>]");  // a list containing itself
  error("h\x05.", {"memo key 5 not found"});
  error("g9\n.", {"memo key 9 not found"});
  error("K\x01p-1\n.", {"PUT index out of range"});
  error("p0\n.", {"stack underflow in PUT"});
}

TEST_F(Opcodes, ProtocolAndFrames) {
  EXPECT_EQ(c(load("\x80\x05\x95\x03\x00\x00\x00\x00\x00\x00\x00K\x01."
                   "junk after STOP"s)),
            "1");
  error("\x80\x06K\x01.", {"unsupported pickle protocol 6"});
  error("\x95\x09\x00\x00\x00\x00\x00\x00\x00K\x01."s, {"truncated FRAME (needs 9 bytes, 3 left)"});
  error("\xff.", {"byte 0: unknown opcode 0xff"});
  error(
      "K\x01"
      "\x00"s,
      {"byte 2: unknown opcode 0x00"});
  error("", {"byte 0: pickle data ends before STOP"});
}

TEST_F(Opcodes, GlobalsAndObjects) {
  const Value& global = load("cposix\nsystem\n.");
  EXPECT_TRUE(global.is_global("posix", "system"));
  EXPECT_TRUE(load("c__builtin__\nset\n.").is_global("builtins", "set"));  // py2 names, as Python maps them
  EXPECT_TRUE(load("\x8c\x03mod\x8c\x03"
                   "Cls\x93.")
                  .is_global("mod", "Cls"));
  const Value& inst = load("(K\x01K\x02imod\nCls\n.");
  ASSERT_TRUE(inst.is_call_of("mod", "Cls"));
  EXPECT_EQ(inst.object->how, Construct::Inst);
  EXPECT_EQ(c(*inst.object->args), "(1, 2)");
  const Value& obj = load("(cmod\nCls\nK\x01o.");
  ASSERT_TRUE(obj.is_call_of("mod", "Cls"));
  EXPECT_EQ(obj.object->how, Construct::Obj);
  EXPECT_EQ(c(*obj.object->args), "(1)");
  const Value& ex = load("cmod\nCls\n)}\x92.");
  ASSERT_TRUE(ex.is_call_of("mod", "Cls"));
  EXPECT_EQ(ex.object->how, Construct::NewObjEx);
  EXPECT_EQ(c(*ex.object->kwargs), "{}");
  const Value& called_object = load("cmod\nf\n)R)R.");  // a call of a call result: still inert
  ASSERT_EQ(called_object.kind, Kind::Object);
  EXPECT_EQ(called_object.object->callable->kind, Kind::Object);
  error(
      "K\x01\x8c\x01"
      "a\x93.",
      {"STACK_GLOBAL requires two strings"});
  error("cmod\nf\nK\x01R.", {"REDUCE arguments are a int, not a tuple"});
  error("cmod\nf\nK\x01\x81.", {"NEWOBJ arguments are a int"});
  error("cmod\nf\n)K\x01\x92.", {"NEWOBJ_EX needs an args tuple and a kwargs dict"});
  error("(o.", {"OBJ without a class"});
  error("cmod\xff\nf\n.", {"global name is not valid UTF-8"});
  error("cmod\n", {"truncated GLOBAL argument"});
}

TEST_F(Opcodes, WhitelistedConstructors) {
  EXPECT_EQ(c(load("ccollections\nOrderedDict\n)R(K\x01K\x02u.")), "{1: 2}");
  EXPECT_EQ(c(load("ccollections\nOrderedDict\n]K\x01K\x02\x86"
                   "a\x85R.")),
            "{1: 2}");
  EXPECT_EQ(c(load("c__builtin__\nset\n(K\x01K\x02l\x85R.")), "set{1, 2}");
  EXPECT_EQ(c(load("cbuiltins\nfrozenset\n)R.")), "frozenset{}");
  EXPECT_EQ(c(load("c_codecs\nencode\nX\x02\x00\x00\x00\xc3\xa9X\x06\x00\x00\x00latin1\x86R."s)),
            "b\"\\xe9\"");
  EXPECT_EQ(c(load("cbuiltins\nbytearray\nC\x01z\x85R.")), "ba\"z\"");
  EXPECT_EQ(c(load("cbuiltins\nbytes\n)R.")), "b\"\"");
  // Wrong arguments leave an inert record rather than guessing.
  EXPECT_EQ(load("c_codecs\nencode\nK\x01\x85R.").kind, Kind::Object);
  EXPECT_EQ(load("c_codecs\nencode\nX\x03\x00\x00\x00\xe2\x82\xacX\x06\x00\x00\x00latin1\x86R."s).kind,
            Kind::Object);
  EXPECT_EQ(load("cbuiltins\nset\nK\x01\x85R.").kind, Kind::Object);
  // The pid is handed to the caller, which decides what it names.
  const Value& persid = load("Pabc\n.");
  ASSERT_EQ(persid.kind, Kind::PersistentId);
  EXPECT_TRUE(persid.items[0]->is_string("abc"));
  const Value& binpersid = load("K\x05Q.");
  ASSERT_EQ(binpersid.kind, Kind::PersistentId);
  EXPECT_EQ(binpersid.items[0]->integer, 5);
}

TEST_F(Opcodes, RefusedOpcodes) {
  error("\x82\x01.", {"EXT1: extension registry codes are not supported"});
  error("\x83\x01\x00."s, {"EXT2"});
  error("\x84\x01\x00\x00\x00."s, {"EXT4"});
  error("\x97.", {"NEXT_BUFFER", "out-of-band"});
  error("C\x01z\x98.", {"READONLY_BUFFER", "out-of-band"});
}

TEST_F(Opcodes, HostileReduceIsNeverRun) {
  const std::string marker = "/tmp/stylescope-pickle-opcode-test";
  std::remove(marker.c_str());
  const Value& v = load("cposix\nsystem\n(S'touch " + marker + "'\ntR.");
  EXPECT_TRUE(v.is_call_of("posix", "system"));
  load("cbuiltins\neval\n(S'__import__(\"os\").system(\"touch " + marker + "\")'\ntR.");
  std::ifstream probe(marker);
  EXPECT_FALSE(probe.good());
}

}  // namespace
}  // namespace stylescope::pickle::test
