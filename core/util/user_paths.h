#pragma once
// Where a user's StyleScope settings live: $XDG_CONFIG_HOME/stylescope, else ~/.config/stylescope (the GUI's
// recent models; a vgg16.pt put there is found by `project`, `attribute` and `metrics`).
#include <string>

namespace stylescope {

std::string user_config_dir();

// --vgg16 when given, else <user_config_dir()>/vgg16.pt when that file exists, else "".
std::string resolve_vgg16_path(const std::string& flag);

}  // namespace stylescope
