// Numbers of the pickle VM: protocol-0 INT/LONG/FLOAT text and arbitrary-size integers (LONG1/LONG4).
#include "core/io/pickle/pickle_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace stylescope::pickle::text {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view strip(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

void mul_add(std::string& magnitude, unsigned mul, unsigned add) {
  unsigned carry = add;
  for (char& c : magnitude) {
    const unsigned v = static_cast<uint8_t>(c) * mul + carry;
    c = static_cast<char>(v & 0xff);
    carry = v >> 8;
  }
  for (; carry != 0; carry >>= 8) magnitude.push_back(static_cast<char>(carry & 0xff));
}

bool float_overflows(std::string_view s) {
  long exponent = 0;
  size_t e = s.find_first_of("eE");
  if (e != std::string_view::npos) {
    std::string_view ex = s.substr(e + 1);
    bool neg = !ex.empty() && ex[0] == '-';
    if (!ex.empty() && (ex[0] == '-' || ex[0] == '+')) ex.remove_prefix(1);
    for (char c : ex) exponent = std::min(exponent * 10 + (c - '0'), 100000L);
    if (neg) exponent = -exponent;
    s = s.substr(0, e);
  }
  const size_t dot = s.find('.');
  const std::string_view int_part = s.substr(0, dot);
  const size_t first = int_part.find_first_not_of('0');
  if (first != std::string_view::npos) return exponent + static_cast<long>(int_part.size() - first) > 0;
  if (dot == std::string_view::npos) return false;
  const std::string_view frac = s.substr(dot + 1);
  const size_t nz = frac.find_first_not_of('0');
  return nz != std::string_view::npos && exponent - static_cast<long>(nz) > 0;
}

}  // namespace

bool parse_int(std::string_view s, ParsedInt& out, std::string& error) {
  s = strip(s);
  const std::string_view original = s;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() >= 2 && s[0] == '0' && std::strchr("xXoObB", s[1]) != nullptr) {
    base = (s[1] == 'x' || s[1] == 'X') ? 16 : (s[1] == 'o' || s[1] == 'O') ? 8 : 2;
    s.remove_prefix(2);
    if (!s.empty() && s[0] == '_') s.remove_prefix(1);  // Python allows 0x_1f
  }
  std::vector<uint8_t> digits;
  bool after_digit = false;
  for (char c : s) {
    if (c == '_' && after_digit) {
      after_digit = false;
      continue;
    }
    const int d = digit_value(c);
    if (d >= base) {
      error = "invalid integer literal '" + std::string(original.substr(0, 40)) + "'";
      return false;
    }
    if (digits.size() == kMaxIntDigits) {
      error = "integer literal has more than " + std::to_string(kMaxIntDigits) + " digits";
      return false;
    }
    digits.push_back(static_cast<uint8_t>(d));
    after_digit = true;
  }
  if (digits.empty() || !after_digit) {
    error = "invalid integer literal '" + std::string(original.substr(0, 40)) + "'";
    return false;
  }
  if (base == 10 && digits.size() > 1 && digits[0] == 0) {
    for (uint8_t d : digits) {
      if (d != 0) {
        error = "leading zeros in decimal integer literal '" + std::string(original.substr(0, 40)) + "'";
        return false;
      }
    }
  }
  std::string magnitude;
  for (uint8_t d : digits) mul_add(magnitude, static_cast<unsigned>(base), d);
  std::string_view mag = magnitude;
  while (!mag.empty() && mag.back() == 0) mag.remove_suffix(1);
  if (mag.size() <= 8) {
    uint64_t v = 0;
    for (size_t i = 0; i < mag.size(); ++i)
      v |= static_cast<uint64_t>(static_cast<uint8_t>(mag[i])) << (8 * i);
    const uint64_t limit = static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + (negative ? 1 : 0);
    if (v <= limit) {
      out.big = false;
      out.small = negative ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
      return true;
    }
  }
  std::string twos(mag);
  twos.push_back('\0');  // room for the sign bit
  if (negative) {
    for (char& c : twos) c = static_cast<char>(~c);
    for (char& c : twos) {
      c = static_cast<char>(static_cast<uint8_t>(c) + 1);
      if (c != 0) break;
    }
  }
  out.big = true;
  out.bytes = std::string(minimal_twos_complement(twos));
  return true;
}

bool parse_float(std::string_view s, double& out, std::string& error) {
  s = strip(s);
  if (s.size() > kMaxIntDigits) {  // repr() of a double needs ~25 characters
    error = "float literal longer than " + std::to_string(kMaxIntDigits) + " characters";
    return false;
  }
  const std::string_view original = s;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  std::string clean;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '_') {
      const bool ok = i > 0 && i + 1 < s.size() && digit_value(s[i - 1]) < 10 && digit_value(s[i + 1]) < 10;
      if (!ok) clean += '!';  // forces the parse error below
      continue;
    }
    clean += s[i];
  }
  double v = 0.0;
  const char* begin = clean.data();
  const char* end = begin + clean.size();
  const auto [ptr, ec] = std::from_chars(begin, end, v, std::chars_format::general);
  if (clean.empty() || ptr != end || (ec != std::errc() && ec != std::errc::result_out_of_range) ||
      clean.find('(') != std::string::npos) {
    error = "invalid float literal '" + std::string(original.substr(0, 40)) + "'";
    return false;
  }
  if (ec == std::errc::result_out_of_range) v = float_overflows(clean) ? HUGE_VAL : 0.0;
  out = negative ? -v : v;
  return true;
}

std::string_view minimal_twos_complement(std::string_view bytes) {
  size_t n = bytes.size();
  while (n > 1) {
    const auto top = static_cast<uint8_t>(bytes[n - 1]);
    const auto next = static_cast<uint8_t>(bytes[n - 2]);
    if ((top == 0x00 && (next & 0x80) == 0) || (top == 0xff && (next & 0x80) != 0)) {
      --n;
    } else {
      break;
    }
  }
  return bytes.substr(0, n);
}

int64_t twos_complement_to_int64(std::string_view bytes) {
  const size_t n = std::min<size_t>(bytes.size(), 8);
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[i])) << (8 * i);
  if (n > 0 && n < 8 && (static_cast<uint8_t>(bytes[n - 1]) & 0x80) != 0) v |= ~uint64_t{0} << (8 * n);
  int64_t result;
  std::memcpy(&result, &v, sizeof result);
  return result;
}

std::string twos_complement_to_decimal(std::string_view bytes) {
  if (bytes.empty()) return "0";
  std::string magnitude(bytes);
  const bool negative = (static_cast<uint8_t>(magnitude.back()) & 0x80) != 0;
  if (negative) {  // magnitude = ~x + 1
    for (char& c : magnitude) c = static_cast<char>(~c);
    for (char& c : magnitude) {
      c = static_cast<char>(static_cast<uint8_t>(c) + 1);
      if (c != 0) break;
    }
  }
  std::string digits;  // least significant first
  size_t top = magnitude.size();
  while (top > 0) {
    unsigned remainder = 0;  // divide by 10000, most significant byte first
    for (size_t i = top; i-- > 0;) {
      const unsigned v = remainder * 256 + static_cast<uint8_t>(magnitude[i]);
      magnitude[i] = static_cast<char>(v / 10000);
      remainder = v % 10000;
    }
    while (top > 0 && magnitude[top - 1] == 0) --top;
    for (int k = 0; k < 4; ++k, remainder /= 10) digits += static_cast<char>('0' + remainder % 10);
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  if (negative) digits += '-';
  return std::string(digits.rbegin(), digits.rend());
}

}  // namespace stylescope::pickle::text
