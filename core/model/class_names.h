#pragma once
// Class names a conditional model may carry (StyleScope safetensors `__metadata__` "class_names", a JSON
// list with one name per class), shown by `info` and the explorer's class selector.
#include <string>

#include <nlohmann/json.hpp>

namespace stylescope {

// `names` itself when it is a list of c_dim names of 1 to 64 characters; InputError naming `file` otherwise.
nlohmann::json checked_class_names(const nlohmann::json& names, int c_dim, const std::string& file);

// The names given as "a,b,c" on the command line, checked as above.
nlohmann::json parse_class_names(const std::string& text, int c_dim, const std::string& flag);

}  // namespace stylescope
