// Text codecs of the pickle VM: STRING's escape_decode, UNICODE's raw-unicode-escape, UTF-8 and latin-1.
#include "core/io/pickle/pickle_text.h"

#include <cstring>

namespace stylescope::pickle::text {
namespace {

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
}  // namespace

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
