#include "core/latent/direction_file.h"

#include <cmath>
#include <filesystem>

#include "core/io/errors.h"
#include "core/io/npy.h"
#include "core/model/model_file.h"
#include "core/util/atomic_file.h"

namespace stylescope {

namespace {

constexpr const char* kFormat = "stylescope-directions/1";

nlohmann::json direction_json(const Direction& d) {
  nlohmann::json j = {{"name", d.name}, {"layers", d.layers}, {"scale", d.scale}};
  if (d.eigenvalue) j["eigenvalue"] = *d.eigenvalue;
  if (d.stddev) j["stddev"] = *d.stddev;
  if (d.explained_variance) j["explained_variance"] = *d.explained_variance;
  return j;
}

std::optional<double> optional_number(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  return j[key].get<double>();
}

Direction parse_direction(const nlohmann::json& j, size_t i, int64_t num_ws, const std::string& file) {
  const auto where = "direction " + std::to_string(i);
  if (!j.is_object()) throw InputError(file, where + " is not an object");
  Direction d;
  d.name = j.value("name", "");
  d.scale = j.value("scale", 1.0);
  if (!std::isfinite(d.scale) || d.scale <= 0)
    throw InputError(file, where + " has scale " + std::to_string(d.scale) + ", expected a positive number");
  if (!j.contains("layers")) throw InputError(file, where + " has no \"layers\"");
  for (const auto& layer : j.at("layers")) {
    const int v = layer.get<int>();
    if (v < 0 || v >= num_ws)
      throw InputError(file, where + " edits layer " + std::to_string(v) + " but the model has layers 0.." +
                                 std::to_string(num_ws - 1));
    d.layers.push_back(v);
  }
  if (d.layers.empty()) throw InputError(file, where + " edits no layer");
  d.eigenvalue = optional_number(j, "eigenvalue");
  d.stddev = optional_number(j, "stddev");
  d.explained_variance = optional_number(j, "explained_variance");
  return d;
}

void read_sidecar(const std::string& file, DirectionSet& set, int64_t num_ws) {
  nlohmann::json j;
  try {
    const ByteBuffer bytes = read_file(file);
    j = nlohmann::json::parse(bytes.data, bytes.data + bytes.size);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(file, std::string("is not valid JSON: ") + e.what());
  }
  try {
    if (!j.is_object() || j.value("format", "") != kFormat)
      throw InputError(
          file, std::string("is not a direction-set sidecar (\"format\": \"") + kFormat + "\" expected)");
    if (j.at("w_dim").get<int64_t>() != set.w_dim())
      throw InputError(
          file, "says w_dim " + j["w_dim"].dump() + " but the .npy has " + std::to_string(set.w_dim()));
    if (j.contains("num_ws") && j["num_ws"].get<int64_t>() != num_ws)
      throw InputError(file, "was made for a model with " + j["num_ws"].dump() +
                                 " layers (num_ws), this one has " + std::to_string(num_ws));
    const auto& list = j.at("directions");
    if (!list.is_array() || static_cast<int64_t>(list.size()) != set.vectors.size(0))
      throw InputError(file, "lists " + std::to_string(list.is_array() ? list.size() : 0) +
                                 " directions but the .npy holds " + std::to_string(set.vectors.size(0)));
    set.method = j.value("method", "user");
    set.model_hash = j.value("model_hash", "");
    set.scale_unit = j.value("scale_unit", "w");
    set.details = j.value("details", nlohmann::json::object());
    set.directions.clear();
    for (size_t i = 0; i < list.size(); ++i)
      set.directions.push_back(parse_direction(list[i], i, num_ws, file));
  } catch (const nlohmann::json::exception& e) {
    throw InputError(file, std::string("has an unexpected value: ") + e.what());
  }
}

}  // namespace

std::string direction_sidecar_path(const std::string& npy_path) {
  const std::string ext = ".npy";
  if (npy_path.size() > ext.size() && npy_path.compare(npy_path.size() - ext.size(), ext.size(), ext) == 0)
    return npy_path.substr(0, npy_path.size() - ext.size()) + ".json";
  return npy_path + ".json";
}

void save_direction_set(const std::string& npy_path, const DirectionSet& set) {
  const auto vectors = set.vectors.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  if (vectors.dim() != 2 || vectors.size(0) != set.size())
    throw std::invalid_argument("save_direction_set: vectors and directions disagree");
  nlohmann::json j = {{"format", kFormat},
                      {"method", set.method},
                      {"model_hash", set.model_hash},
                      {"w_dim", set.w_dim()},
                      {"num_ws", set.num_ws},
                      {"count", set.size()},
                      {"scale_unit", set.scale_unit},
                      {"directions", nlohmann::json::array()},
                      {"details", set.details}};
  for (const auto& d : set.directions) j["directions"].push_back(direction_json(d));
  write_npy(npy_path, TensorRef{DType::Float32, vectors.sizes().vec(), vectors.data_ptr()});
  const std::string text = j.dump(2) + "\n";
  write_file_atomic(direction_sidecar_path(npy_path), text.data(), text.size());
}

DirectionSet load_direction_set(const std::string& npy_path, int64_t w_dim, int64_t num_ws) {
  const RawTensor raw = read_npy(npy_path);
  if (raw.dtype != DType::Float32 && raw.dtype != DType::Float64 && raw.dtype != DType::Float16)
    throw InputError(npy_path, std::string("directions are ") + dtype_name(raw.dtype) + ", expected float32");
  const auto& s = raw.shape;
  const bool ok = (s.size() == 2 && s[0] > 0 && s[1] == w_dim) || (s.size() == 1 && s[0] == w_dim);
  if (!ok)
    throw InputError(npy_path, "directions have shape " + shape_string(s) + ", expected [k, " +
                                   std::to_string(w_dim) + "] (k directions in this model's w space)");
  DirectionSet set;
  set.vectors = to_torch(raw).to(torch::kFloat32).reshape({-1, w_dim}).contiguous();
  if (!torch::isfinite(set.vectors).all().item<bool>())
    throw InputError(npy_path, "directions contain NaN or infinite values");
  set.num_ws = num_ws;
  const std::string sidecar = direction_sidecar_path(npy_path);
  if (std::filesystem::exists(sidecar)) {
    read_sidecar(sidecar, set, num_ws);
  } else {
    set.method = "user";
    set.scale_unit = "w";
    for (int64_t i = 0; i < set.vectors.size(0); ++i) {
      Direction d;
      d.layers = all_layers(num_ws);
      set.directions.push_back(d);
    }
  }
  return set;
}

}  // namespace stylescope
