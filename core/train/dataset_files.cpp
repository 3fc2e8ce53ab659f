#include "core/train/dataset_files.h"

#include <stb_image.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <filesystem>

#include "core/io/errors.h"

namespace stylescope::train {

bool has_image_extension(const std::string& name) {
  const size_t dot = name.find_last_of('.');
  if (dot == std::string::npos || name.find('/', dot) != std::string::npos) return false;
  std::string ext = name.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == "png" || ext == "jpg" || ext == "jpeg";
}

std::vector<std::string> list_image_files(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> names;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::follow_directory_symlink, ec), end;
  if (ec) throw InputError(dir, "cannot list the folder: " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) throw InputError(dir, "cannot list the folder: " + ec.message());
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec)) continue;
    const std::string relative = it->path().lexically_relative(dir).generic_string();
    if (has_image_extension(relative)) names.push_back(relative);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<ImageHeader> read_image_header(const std::string& path) {
  ImageHeader h;
  if (!stbi_info(path.c_str(), &h.width, &h.height, &h.channels)) return std::nullopt;
  return h;
}

std::optional<ImageHeader> image_header_from_memory(const ByteBuffer& bytes) {
  ImageHeader h;
  if (bytes.size == 0 || bytes.size > static_cast<size_t>(INT_MAX) ||
      !stbi_info_from_memory(bytes.data, static_cast<int>(bytes.size), &h.width, &h.height, &h.channels)) {
    return std::nullopt;
  }
  return h;
}

std::optional<std::map<std::string, nlohmann::json>> parse_dataset_json(const std::string& text,
                                                                        const std::string& where) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(where, std::string("not valid JSON: ") + e.what());
  }
  if (!doc.is_object() || !doc.contains("labels"))
    throw InputError(where, "expected an object with \"labels\"");
  const nlohmann::json& labels = doc["labels"];
  if (labels.is_null()) return std::nullopt;
  if (!labels.is_array()) throw InputError(where, "\"labels\" must be a list of [name, label] pairs or null");
  std::map<std::string, nlohmann::json> table;
  for (const nlohmann::json& pair : labels) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string()) {
      throw InputError(where, "\"labels\" must be a list of [name, label] pairs, found " + pair.dump());
    }
    table[pair[0].get<std::string>()] = pair[1];
  }
  return table;
}

std::vector<std::vector<float>> label_vectors(const std::vector<std::string>& names,
                                              const std::map<std::string, nlohmann::json>& table,
                                              const std::string& where, int* dim) {
  std::vector<const nlohmann::json*> found;
  bool classes = false, vectors = false;
  int64_t max_class = -1;
  size_t length = 0;
  for (const std::string& name : names) {
    auto it = table.find(name);
    if (it == table.end()) throw InputError(where, "no label for image '" + name + "'");
    const nlohmann::json& label = it->second;
    if (label.is_number_integer()) {
      const int64_t value = label.get<int64_t>();
      if (value < 0 || value > 1000000) {
        throw InputError(where,
                         "label of '" + name + "' is " + std::to_string(value) + ", not a class index");
      }
      classes = true;
      max_class = std::max(max_class, value);
    } else if (label.is_array() &&
               std::all_of(label.begin(), label.end(), [](auto& v) { return v.is_number(); })) {
      if (vectors && label.size() != length) {
        throw InputError(where, "label of '" + name + "' has " + std::to_string(label.size()) +
                                    " values, others " + std::to_string(length));
      }
      vectors = true;
      length = label.size();
    } else {
      throw InputError(where,
                       "label of '" + name + "' is " + label.dump() + ", not a class or a list of numbers");
    }
    if (classes && vectors) throw InputError(where, "mixes class labels and label vectors");
    found.push_back(&label);
  }
  *dim = classes ? static_cast<int>(max_class + 1) : static_cast<int>(length);
  std::vector<std::vector<float>> out;
  out.reserve(found.size());
  for (const nlohmann::json* label : found) {
    std::vector<float> v(static_cast<size_t>(*dim), 0.0f);
    if (classes) {
      v[label->get<size_t>()] = 1.0f;
    } else {
      for (size_t i = 0; i < v.size(); ++i) v[i] = (*label)[i].get<float>();
    }
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace stylescope::train
