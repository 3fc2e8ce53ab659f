#include "core/io/pickle/pickle_text.h"

#include <algorithm>
#include <cctype>
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

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

// magnitude (little-endian bytes) = magnitude * mul + add
void mul_add(std::string& magnitude, unsigned mul, unsigned add) {
  unsigned carry = add;
  for (char& c : magnitude) {
    const unsigned v = static_cast<uint8_t>(c) * mul + carry;
    c = static_cast<char>(v & 0xff);
    carry = v >> 8;
  }
  for (; carry != 0; carry >>= 8) magnitude.push_back(static_cast<char>(carry & 0xff));
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

// Only called when from_chars reports out_of_range: decides between overflow (inf) and underflow (0) from
// the decimal exponent of the first significant digit.
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
      const bool ok = i > 0 && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i - 1])) &&
                      std::isdigit(static_cast<unsigned char>(s[i + 1]));
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

bool escape_decode(std::string_view in, std::string& out, std::string& error) {
  out.clear();
  for (size_t i = 0; i < in.size();) {
    const char c = in[i++];
    if (c != '\\') {
      out += c;
      continue;
    }
    if (i >= in.size()) {
      error = "trailing \\ in STRING argument";
      return false;
    }
    const char e = in[i++];
    switch (e) {
      case '\n':
        break;  // line continuation
      case '\\':
        out += '\\';
        break;
      case '\'':
        out += '\'';
        break;
      case '"':
        out += '"';
        break;
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case 'x': {
        if (i + 2 > in.size() || digit_value(in[i]) >= 16 || digit_value(in[i + 1]) >= 16) {
          error = "invalid \\x escape in STRING argument";
          return false;
        }
        out += static_cast<char>(digit_value(in[i]) * 16 + digit_value(in[i + 1]));
        i += 2;
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          unsigned v = static_cast<unsigned>(e - '0');
          for (int k = 0; k < 2 && i < in.size() && in[i] >= '0' && in[i] <= '7'; ++k)
            v = v * 8 + (in[i++] - '0');
          out += static_cast<char>(v & 0xff);  // CPython truncates octal escapes above \377
        } else {
          out += '\\';  // unknown escapes are kept verbatim
          out += e;
        }
    }
  }
  return true;
}

bool raw_unicode_escape_decode(std::string_view in, std::string& out, std::string& error) {
  out.clear();
  for (size_t i = 0; i < in.size();) {
    const auto c = static_cast<uint8_t>(in[i++]);
    if (c != '\\' || i >= in.size()) {
      append_utf8(out, c);
      continue;
    }
    const char e = in[i++];
    if (e != 'u' && e != 'U') {
      out += '\\';
      append_utf8(out, static_cast<uint8_t>(e));
      continue;
    }
    const size_t count = e == 'u' ? 4 : 8;
    uint32_t cp = 0;
    for (size_t k = 0; k < count; ++k) {
      if (i >= in.size() || digit_value(in[i]) >= 16) {
        error = e == 'u' ? "truncated \\uXXXX escape in UNICODE argument"
                         : "truncated \\UXXXXXXXX escape in UNICODE argument";
        return false;
      }
      cp = cp * 16 + static_cast<uint32_t>(digit_value(in[i++]));
      if (cp > 0x10ffff) {
        error = "\\UXXXXXXXX escape out of range in UNICODE argument";
        return false;
      }
    }
    if (cp >= 0xd800 && cp <= 0xdfff) {
      error = "lone surrogate escape in UNICODE argument (not supported)";
      return false;
    }
    append_utf8(out, cp);
  }
  return true;
}

bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<uint8_t>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<uint8_t>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static constexpr uint32_t kMinForLength[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

bool is_ascii(std::string_view s) {
  for (char c : s) {
    if (static_cast<uint8_t>(c) >= 0x80) return false;
  }
  return true;
}

std::string latin1_to_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) append_utf8(out, static_cast<uint8_t>(c));
  return out;
}

bool utf8_to_latin1(std::string_view s, std::string& out) {
  out.clear();
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<uint8_t>(s[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if ((c == 0xc2 || c == 0xc3) && i + 1 < s.size()) {
      out += static_cast<char>(((c & 0x03) << 6) | (static_cast<uint8_t>(s[++i]) & 0x3f));
    } else {
      return false;  // code point >= 256 (input is valid UTF-8)
    }
  }
  return true;
}

}  // namespace stylescope::pickle::text
