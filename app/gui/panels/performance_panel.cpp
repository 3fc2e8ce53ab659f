// Performance: render and UI frame times, device and dtype, memory, mapping cache and dropped requests.
#include <imgui.h>

#include <unistd.h>
#include <fstream>
#include <vector>

#include "app/gui/panel_context.h"

namespace stylescope::gui {

namespace {

double resident_mib() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1 << 20);
}

}  // namespace

void performance_panel(PanelContext& ctx) {
  if (!panel_header(ctx, "Performance")) return;
  const PerfStats& p = ctx.perf;
  ImGui::Text("Render %.1f ms   UI %.1f ms (%.0f fps)", p.render_ms, p.frame_ms, p.fps);
  if (!p.render_history.empty()) {
    std::vector<float> h(p.render_history.begin(), p.render_history.end());
    ImGui::PlotLines("##render_ms", h.data(), static_cast<int>(h.size()), 0, "render ms", 0.0f, FLT_MAX,
                     ImVec2(-1, ctx.font_size * 2.5f));
  }
  const torch::Device device = ctx.models.device();
  ImGui::Text("Device %s, float32", device.str().c_str());
  ImGui::TextWrapped("Display: %s", p.display.c_str());
  static double rss = 0, last = -10;
  if (ImGui::GetTime() - last > 1) {  // /proc once a second is plenty
    rss = resident_mib();
    last = ImGui::GetTime();
  }
  ImGui::Text("Memory %.0f MiB resident", rss);
  ImGui::Text("Renders %llu, superseded %llu", static_cast<unsigned long long>(p.renders),
              static_cast<unsigned long long>(p.dropped));
}

}  // namespace stylescope::gui
