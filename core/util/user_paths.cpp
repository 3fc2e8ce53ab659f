#include "core/util/user_paths.h"

#include <cstdlib>
#include <filesystem>

namespace stylescope {

std::string user_config_dir() {
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) return std::string(xdg) + "/stylescope";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.config/stylescope";
  return ".stylescope";
}

std::string resolve_vgg16_path(const std::string& flag) {
  if (!flag.empty()) return flag;
  const std::string configured = user_config_dir() + "/vgg16.pt";
  std::error_code ec;
  return std::filesystem::is_regular_file(configured, ec) ? configured : "";
}

}  // namespace stylescope
