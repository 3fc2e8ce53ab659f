#include "core/render/bar_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace stylescope {
namespace {

constexpr int kScale = 3;  // font pixels per glyph pixel
constexpr int kBarWidth = 56, kGap = 24, kMargin = 24, kPlotHeight = 200;

// 3x5 glyphs, one row per string, '#' set.
const std::map<char, const char*>& glyphs() {
  static const std::map<char, const char*> g = {
      {'0',
       "###"
       "# #"
       "# #"
       "# #"
       "###"},
      {'1',
       " # "
       "## "
       " # "
       " # "
       "###"},
      {'2',
       "###"
       "  #"
       "###"
       "#  "
       "###"},
      {'3',
       "###"
       "  #"
       "###"
       "  #"
       "###"},
      {'4',
       "# #"
       "# #"
       "###"
       "  #"
       "  #"},
      {'5',
       "###"
       "#  "
       "###"
       "  #"
       "###"},
      {'6',
       "###"
       "#  "
       "###"
       "# #"
       "###"},
      {'7',
       "###"
       "  #"
       "  #"
       "  #"
       "  #"},
      {'8',
       "###"
       "# #"
       "###"
       "# #"
       "###"},
      {'9',
       "###"
       "# #"
       "###"
       "  #"
       "###"},
      {'.',
       "   "
       "   "
       "   "
       "   "
       " # "},
      {'%',
       "# #"
       "  #"
       " # "
       "#  "
       "# #"},
      {'x',
       "   "
       "# #"
       " # "
       "# #"
       "   "},
  };
  return g;
}

struct Canvas {
  BarChart& chart;
  void fill(int x0, int y0, int x1, int y1, uint8_t r, uint8_t g, uint8_t b) {
    for (int y = std::max(0, y0); y < std::min(chart.height, y1); ++y)
      for (int x = std::max(0, x0); x < std::min(chart.width, x1); ++x) {
        uint8_t* p = &chart.rgb[(static_cast<size_t>(y) * chart.width + x) * 3];
        p[0] = r, p[1] = g, p[2] = b;
      }
  }
  int text_width(const std::string& text) const {
    return static_cast<int>(text.size()) * 4 * kScale - kScale;
  }
  // Centred on cx, top at y.
  void text(const std::string& text, int cx, int y) {
    int x = cx - text_width(text) / 2;
    for (char c : text) {
      auto it = glyphs().find(c);
      if (it != glyphs().end())
        for (int gy = 0; gy < 5; ++gy)
          for (int gx = 0; gx < 3; ++gx)
            if (it->second[gy * 3 + gx] == '#')
              fill(x + gx * kScale, y + gy * kScale, x + (gx + 1) * kScale, y + (gy + 1) * kScale, 20, 20,
                   20);
      x += 4 * kScale;
    }
  }
};

}  // namespace

BarChart draw_bar_chart(const std::vector<double>& values, const std::vector<std::string>& labels) {
  BarChart chart;
  const int n = static_cast<int>(values.size());
  const int label_h = 5 * kScale;
  chart.width = 2 * kMargin + n * kBarWidth + std::max(0, n - 1) * kGap;
  chart.height = kMargin + label_h + 8 + kPlotHeight + 8 + label_h + kMargin;
  chart.rgb.assign(static_cast<size_t>(chart.width) * chart.height * 3, 255);
  Canvas canvas{chart};
  const int base = kMargin + label_h + 8 + kPlotHeight;  // y of the axis
  canvas.fill(kMargin / 2, base, chart.width - kMargin / 2, base + 2, 20, 20, 20);
  for (int i = 0; i < n; ++i) {
    const double v = std::clamp(std::isfinite(values[i]) ? values[i] : 0.0, 0.0, 1.0);
    const int x = kMargin + i * (kBarWidth + kGap), h = static_cast<int>(std::lround(v * kPlotHeight));
    canvas.fill(x, base - h, x + kBarWidth, base, 70, 110, 170);
    char percent[16];
    std::snprintf(percent, sizeof percent, "%.1f%%", v * 100);
    canvas.text(percent, x + kBarWidth / 2, base - h - 8 - label_h);
    if (i < static_cast<int>(labels.size())) canvas.text(labels[i], x + kBarWidth / 2, base + 10);
  }
  return chart;
}

}  // namespace stylescope
