#pragma once
// Seconds as the official code prints them (dnnlib.util.format_time): "42s", "1m 05s", "2h 03m 04s",
// "1d 02h 03m", after rounding to whole seconds half to even (numpy's rint).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

namespace stylescope {

inline std::string format_time(double seconds) {
  const int64_t s = static_cast<int64_t>(std::nearbyint(seconds));  // default rounding: half to even
  char buf[64];
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(s));
  else if (s < 60 * 60)
    std::snprintf(buf, sizeof buf, "%lldm %02llds", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  else if (s < 24 * 60 * 60)
    std::snprintf(buf, sizeof buf, "%lldh %02lldm %02llds", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  else
    std::snprintf(buf, sizeof buf, "%lldd %02lldh %02lldm", static_cast<long long>(s / 86400),
                  static_cast<long long>(s / 3600 % 24), static_cast<long long>(s / 60 % 60));
  return buf;
}

}  // namespace stylescope
