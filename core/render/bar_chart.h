#pragma once
// A small bar chart as an RGB image (the `analyze` command's PNG charts): one bar per value, a label under
// each and the value as a percentage above it, drawn with a built-in 3x5 pixel font (digits, '.', '%', 'x').
#include <cstdint>
#include <string>
#include <vector>

namespace stylescope {

struct BarChart {
  std::vector<uint8_t> rgb;  // height * width * 3
  int width = 0, height = 0;
};

// `values` in [0, 1] (shown as percentages); `labels` one per value (characters outside the font are
// skipped).
BarChart draw_bar_chart(const std::vector<double>& values, const std::vector<std::string>& labels);

}  // namespace stylescope
