#include "app/gui/panel_context.h"

#include <imgui.h>

namespace stylescope::gui {

bool panel_header(PanelContext& ctx, const char* name) {
  if (!ImGui::CollapsingHeader(name, ImGuiTreeNodeFlags_DefaultOpen)) return false;
  if (ctx.drawn_panels) ctx.drawn_panels->push_back(name);
  return true;
}

}  // namespace stylescope::gui
