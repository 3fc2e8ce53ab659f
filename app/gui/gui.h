#pragma once
// The explorer window's entry point (the `gui` subcommand, also the default without one).
#include <CLI/CLI.hpp>

namespace stylescope::gui {

void add_gui_command(CLI::App& app);

}  // namespace stylescope::gui
