// Builds without the GUI (-DSTYLESCOPE_GUI=OFF) keep the `gui` subcommand and explain why it cannot run.
#ifndef STYLESCOPE_HAVE_GUI
#include "app/gui/gui.h"
#include "core/io/errors.h"

namespace stylescope::gui {

void add_gui_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("gui", "Open the explorer window (not in this build)");
  cmd->allow_extras();
  cmd->callback([]() { throw InputError("this build has no GUI (configured with -DSTYLESCOPE_GUI=OFF)"); });
}

}  // namespace stylescope::gui
#endif
