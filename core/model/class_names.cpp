#include "core/model/class_names.h"

#include <sstream>

#include "core/io/errors.h"

namespace stylescope {

nlohmann::json checked_class_names(const nlohmann::json& names, int c_dim, const std::string& file) {
  if (!names.is_array() || static_cast<int>(names.size()) != c_dim)
    throw InputError(file,
                     "class_names must be a list of " + std::to_string(c_dim) + " names (one per class)");
  for (const auto& n : names)
    if (!n.is_string() || n.get<std::string>().empty() || n.get<std::string>().size() > 64)
      throw InputError(file, "class_names holds something other than a name of 1 to 64 characters");
  return names;
}

nlohmann::json parse_class_names(const std::string& text, int c_dim, const std::string& flag) {
  nlohmann::json names = nlohmann::json::array();
  std::stringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) names.push_back(item);
  if (!text.empty() && text.back() == ',') names.push_back("");
  return checked_class_names(names, c_dim, flag);
}

}  // namespace stylescope
