#include "core/util/int_list.h"

#include <cctype>

#include "core/io/errors.h"

namespace stylescope {
namespace {

std::string trim(const std::string& s) {
  size_t begin = 0, end = s.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(s[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(s[end - 1]))) --end;
  return s.substr(begin, end - begin);
}

// Digits only (no sign); false when not a number. Values past max_value are reported by the caller.
bool parse_number(const std::string& s, int64_t max_value, int64_t& value, bool& too_large) {
  if (s.empty()) return false;
  value = 0;
  too_large = false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    const int64_t digit = c - '0';
    if (too_large || value > (max_value - digit) / 10) {
      too_large = true;
    } else {
      value = value * 10 + digit;
    }
  }
  return true;
}

}  // namespace

std::vector<int64_t> parse_int_list(const std::string& text, const std::string& flag, int64_t max_value,
                                    size_t max_count) {
  const std::string prefix = flag + ": ";
  if (trim(text).empty()) throw InputError(prefix + "expected a list such as '0-3,7', found nothing");
  std::vector<int64_t> values;
  size_t start = 0;
  for (;;) {
    const size_t comma = text.find(',', start);
    const std::string item =
        trim(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (item.empty()) throw InputError(prefix + "empty item in '" + text + "'");
    const size_t dash = item.find('-', 1);  // a leading '-' is a negative number, reported below
    int64_t first = 0, last = 0;
    bool first_large = false, last_large = false;
    const bool ok = dash == std::string::npos
                        ? parse_number(item, max_value, first, first_large)
                        : parse_number(trim(item.substr(0, dash)), max_value, first, first_large) &&
                              parse_number(trim(item.substr(dash + 1)), max_value, last, last_large);
    if (!ok) {
      const std::string what =
          dash == std::string::npos ? "is not a non-negative integer" : "is not a valid range";
      throw InputError(prefix + "'" + item + "' " + what);
    }
    if (first_large || last_large) {
      throw InputError(prefix + "'" + item + "' is out of range (0 to " + std::to_string(max_value) + ")");
    }
    if (dash == std::string::npos) last = first;
    if (last < first) throw InputError(prefix + "'" + item + "' is not a valid range");
    if (static_cast<uint64_t>(last - first) >= max_count - values.size()) {
      throw InputError(prefix + "'" + text + "' lists more than " + std::to_string(max_count) + " values");
    }
    for (int64_t v = first; v <= last; ++v) values.push_back(v);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return values;
}

std::vector<uint32_t> parse_seed_list(const std::string& text, const std::string& flag) {
  const std::vector<int64_t> values = parse_int_list(text, flag, 0xffffffffLL);
  return std::vector<uint32_t>(values.begin(), values.end());
}

}  // namespace stylescope
