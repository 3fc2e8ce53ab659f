#pragma once
// Text and number decoding used by the pickle VM: the text-argument opcodes of protocol 0 (INT, LONG,
// FLOAT, STRING, UNICODE) and arbitrary-size integers. Internal to core/io/pickle; numbers are in
// pickle_numbers.cpp, text codecs in pickle_text.cpp.
// Every function reports malformed input by returning false and filling `error`; none throws.
#include <cstdint>
#include <string>
#include <string_view>

namespace stylescope::pickle::text {

// Value of a digit in bases up to 36; 99 for anything else.
inline int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

// Python refuses int<->str conversions of more than 4300 decimal digits
// (sys.int_info.default_max_str_digits); the same bound keeps our quadratic conversions cheap.
constexpr size_t kMaxIntDigits = 4300;

struct ParsedInt {
  bool big = false;   // true: `bytes` holds minimal little-endian two's complement
  int64_t small = 0;  // when !big
  std::string bytes;  // when big
};

// int(text, 0) as Python parses it: surrounding whitespace, sign, 0x/0o/0b prefixes, '_' between digits.
bool parse_int(std::string_view text, ParsedInt& out, std::string& error);
// float(text): surrounding whitespace, sign, inf/nan, '_' between digits.
bool parse_float(std::string_view text, double& out, std::string& error);

// Shortens little-endian two's complement bytes to their minimal length (a prefix of the input).
std::string_view minimal_twos_complement(std::string_view bytes);
// Sign-extends little-endian two's complement of at most 8 bytes.
int64_t twos_complement_to_int64(std::string_view bytes);
// Decimal text of little-endian two's complement bytes.
std::string twos_complement_to_decimal(std::string_view bytes);

// codecs.escape_decode, as applied to the quoted argument of STRING.
bool escape_decode(std::string_view in, std::string& out, std::string& error);
// The 'raw-unicode-escape' codec (UNICODE): latin-1 bytes with \uXXXX and \UXXXXXXXX escapes, to UTF-8.
bool raw_unicode_escape_decode(std::string_view in, std::string& out, std::string& error);
// Strict UTF-8 (no surrogates, no overlong forms). Python would accept lone surrogates ('surrogatepass');
// we refuse them so every String downstream (JSON included) is valid UTF-8.
bool valid_utf8(std::string_view s);
bool is_ascii(std::string_view s);
std::string latin1_to_utf8(std::string_view s);
// UTF-8 text whose code points are all below 256, to latin-1 bytes.
bool utf8_to_latin1(std::string_view s, std::string& out);

}  // namespace stylescope::pickle::text
