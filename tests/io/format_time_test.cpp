#include "core/util/format_time.h"

#include <gtest/gtest.h>

namespace stylescope {
namespace {

// Expected strings printed by the official dnnlib.util.format_time for the same inputs.
TEST(FormatTime, MatchesTheOfficialFormatTime) {
  const std::pair<double, const char*> cases[] = {{0, "0s"},
                                                  {0.5, "0s"},
                                                  {1.5, "2s"},
                                                  {2.5, "2s"},
                                                  {42.4, "42s"},
                                                  {59.5, "1m 00s"},
                                                  {60, "1m 00s"},
                                                  {65, "1m 05s"},
                                                  {3599.4, "59m 59s"},
                                                  {3600, "1h 00m 00s"},
                                                  {3725, "1h 02m 05s"},
                                                  {7384.5, "2h 03m 04s"},
                                                  {86399, "23h 59m 59s"},
                                                  {86400, "1d 00h 00m"},
                                                  {93784, "1d 02h 03m"},
                                                  {200000.7, "2d 07h 33m"}};
  for (const auto& [seconds, text] : cases) EXPECT_EQ(format_time(seconds), text) << seconds;
}

}  // namespace
}  // namespace stylescope
