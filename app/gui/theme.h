#pragma once
// The look: a readable UI font sized for the window, and a calm dark style.
namespace stylescope::gui {

void apply_theme(int window_height);

}  // namespace stylescope::gui
