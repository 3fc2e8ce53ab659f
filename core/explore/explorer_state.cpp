#include "core/explore/explorer_state.h"

#include <cmath>

#include "core/io/errors.h"
#include "core/util/atomic_file.h"

namespace stylescope {

using nlohmann::json;

uint32_t ExplorerState::seed() const {
  const double s = std::round(latent.x) + std::round(latent.y) * 100;
  return static_cast<uint32_t>(static_cast<int64_t>(s));
}

void ExplorerState::set_seed(uint32_t seed) {
  latent.x = seed;
  latent.y = 0;
}

namespace {

template <typename T>
json optional_json(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

// Reads key `key` of object `obj` into `out` when present; the wrong type is an error naming the key.
class Reader {
 public:
  explicit Reader(const std::string& source) : source_(source) {}

  template <typename T>
  void read(const json& obj, const char* section, const char* key, T& out) const {
    if (!obj.is_object() || !obj.contains(key)) return;
    try {
      out = obj.at(key).get<T>();
    } catch (const json::exception&) {
      fail(section, key, obj.at(key));
    }
  }
  template <typename T>
  void read(const json& obj, const char* section, const char* key, std::optional<T>& out) const {
    if (!obj.is_object() || !obj.contains(key)) return;
    if (obj.at(key).is_null()) {
      out.reset();
      return;
    }
    T value{};
    read(obj, section, key, value);
    out = value;
  }
  const json& section(const json& root, const char* name) const {
    static const json empty = json::object();
    if (!root.contains(name)) return empty;
    const json& s = root.at(name);
    if (!s.is_object()) fail("", name, s);
    return s;
  }

 private:
  [[noreturn]] void fail(const char* section, const char* key, const json& value) const {
    const std::string where = std::string(section) + (*section ? "." : "") + key;
    throw InputError(source_, "'" + where + "' has the wrong type (" + value.type_name() + ")");
  }
  std::string source_;
};

}  // namespace

namespace {

// {"12": 0.5} <-> {12: 0.5}: JSON object keys are strings.
json index_map_json(const std::map<int, double>& values) {
  json out = json::object();
  for (const auto& [index, value] : values) out[std::to_string(index)] = value;
  return out;
}

std::map<int, double> index_map(const Reader& r, const json& section, const char* section_name,
                                const char* key, const std::string& source) {
  std::map<std::string, double> raw;
  r.read(section, section_name, key, raw);
  std::map<int, double> out;
  for (const auto& [text, value] : raw) {
    try {
      size_t used = 0;
      const int index = std::stoi(text, &used);
      if (used != text.size() || index < 0) throw std::invalid_argument(text);
      out[index] = value;
    } catch (const std::exception&) {
      throw InputError(source,
                       "'" + std::string(section_name) + "." + key + "' key '" + text + "' is not an index");
    }
  }
  return out;
}

// A key as JSON: the state's sections that decide its ws and image, without view and timeline.
json key_json(const ExplorerState& key) {
  json j = to_json(key);
  for (const char* section : {"version", "model", "view", "timeline"}) j.erase(section);
  return j;
}

}  // namespace

ExplorerState timeline_key(const ExplorerState& state) {
  ExplorerState key = state;
  key.model.clear();
  key.view = ViewState{};
  key.timeline = TimelineState{};
  return key;
}

json to_json(const ExplorerState& s) {
  const json offsets = index_map_json(s.edits.offsets);
  json keys = json::array();
  for (const ExplorerState& key : s.timeline.keys) keys.push_back(key_json(key));
  return {
      {"version", ExplorerState::kVersion},
      {"model", s.model},
      {"latent",
       {{"x", s.latent.x},
        {"y", s.latent.y},
        {"class", optional_json(s.latent.class_idx)},
        {"w_file", s.latent.w_file},
        {"w_index", s.latent.w_index},
        {"animate", s.latent.animate},
        {"speed", s.latent.speed}}},
      {"edits",
       {{"offsets", offsets}, {"first_layer", s.edits.first_layer}, {"last_layer", s.edits.last_layer}}},
      {"directions", {{"file", s.directions.file}, {"alphas", index_map_json(s.directions.alphas)}}},
      {"truncation",
       {{"psi", s.truncation.psi},
        {"cutoff", optional_json(s.truncation.cutoff)},
        {"class_center", s.truncation.class_center}}},
      {"noise", {{"mode", s.noise.mode}, {"seed", s.noise.seed}, {"strength", s.noise.strength}}},
      {"mixing",
       {{"enabled", s.mixing.enabled},
        {"seed", s.mixing.seed},
        {"class", optional_json(s.mixing.class_idx)},
        {"w_file", s.mixing.w_file},
        {"w_index", s.mixing.w_index},
        {"layers", s.mixing.layers},
        {"strength", s.mixing.strength},
        {"grid", s.mixing.grid},
        {"grid_rows", s.mixing.grid_rows},
        {"grid_cols", s.mixing.grid_cols}}},
      {"view",
       {{"layer", s.view.layer},
        {"channel", s.view.channel},
        {"rgb", s.view.rgb},
        {"normalize", s.view.normalize},
        {"brightness_db", s.view.brightness_db},
        {"fft", s.view.fft},
        {"fit", s.view.fit},
        {"zoom", s.view.zoom},
        {"pan_x", s.view.pan_x},
        {"pan_y", s.view.pan_y},
        {"nearest", s.view.nearest},
        {"resolution_usage", s.view.resolution_usage},
        {"skip_sum_resolution", s.view.skip_sum_resolution}}},
      {"timeline",
       {{"keys", keys},
        {"kind", s.timeline.kind},
        {"frames_per_key", s.timeline.frames_per_key},
        {"segment_frames", s.timeline.segment_frames},
        {"loop", s.timeline.loop},
        {"fps", s.timeline.fps},
        {"crf", s.timeline.crf},
        {"position", s.timeline.position},
        {"playing", s.timeline.playing},
        {"preview", s.timeline.preview}}},
  };
}

ExplorerState state_from_json(const json& root, const std::string& source) {
  if (!root.is_object()) throw InputError(source, "an explorer state must be a JSON object");
  const Reader r(source);
  ExplorerState s;
  int version = ExplorerState::kVersion;
  r.read(root, "", "version", version);
  if (version > ExplorerState::kVersion)
    throw InputError(source, "session version " + std::to_string(version) +
                                 " is newer than this StyleScope (" +
                                 std::to_string(ExplorerState::kVersion) + ")");
  r.read(root, "", "model", s.model);

  const json& latent = r.section(root, "latent");
  r.read(latent, "latent", "x", s.latent.x);
  r.read(latent, "latent", "y", s.latent.y);
  r.read(latent, "latent", "class", s.latent.class_idx);
  r.read(latent, "latent", "w_file", s.latent.w_file);
  r.read(latent, "latent", "w_index", s.latent.w_index);
  r.read(latent, "latent", "animate", s.latent.animate);
  r.read(latent, "latent", "speed", s.latent.speed);

  const json& edits = r.section(root, "edits");
  s.edits.offsets = index_map(r, edits, "edits", "offsets", source);
  r.read(edits, "edits", "first_layer", s.edits.first_layer);
  r.read(edits, "edits", "last_layer", s.edits.last_layer);

  const json& directions = r.section(root, "directions");
  r.read(directions, "directions", "file", s.directions.file);
  s.directions.alphas = index_map(r, directions, "directions", "alphas", source);

  const json& trunc = r.section(root, "truncation");
  r.read(trunc, "truncation", "psi", s.truncation.psi);
  r.read(trunc, "truncation", "cutoff", s.truncation.cutoff);
  r.read(trunc, "truncation", "class_center", s.truncation.class_center);

  const json& noise = r.section(root, "noise");
  r.read(noise, "noise", "mode", s.noise.mode);
  if (s.noise.mode != "const" && s.noise.mode != "random" && s.noise.mode != "none")
    throw InputError(source, "'noise.mode' must be const, random or none, not '" + s.noise.mode + "'");
  r.read(noise, "noise", "seed", s.noise.seed);
  r.read(noise, "noise", "strength", s.noise.strength);

  const json& mixing = r.section(root, "mixing");
  r.read(mixing, "mixing", "enabled", s.mixing.enabled);
  r.read(mixing, "mixing", "seed", s.mixing.seed);
  r.read(mixing, "mixing", "class", s.mixing.class_idx);
  r.read(mixing, "mixing", "w_file", s.mixing.w_file);
  r.read(mixing, "mixing", "w_index", s.mixing.w_index);
  r.read(mixing, "mixing", "layers", s.mixing.layers);
  r.read(mixing, "mixing", "strength", s.mixing.strength);
  r.read(mixing, "mixing", "grid", s.mixing.grid);
  r.read(mixing, "mixing", "grid_rows", s.mixing.grid_rows);
  r.read(mixing, "mixing", "grid_cols", s.mixing.grid_cols);

  const json& view = r.section(root, "view");
  r.read(view, "view", "layer", s.view.layer);
  r.read(view, "view", "channel", s.view.channel);
  r.read(view, "view", "rgb", s.view.rgb);
  r.read(view, "view", "normalize", s.view.normalize);
  r.read(view, "view", "brightness_db", s.view.brightness_db);
  r.read(view, "view", "fft", s.view.fft);
  r.read(view, "view", "fit", s.view.fit);
  r.read(view, "view", "zoom", s.view.zoom);
  r.read(view, "view", "pan_x", s.view.pan_x);
  r.read(view, "view", "pan_y", s.view.pan_y);
  r.read(view, "view", "nearest", s.view.nearest);
  r.read(view, "view", "resolution_usage", s.view.resolution_usage);
  r.read(view, "view", "skip_sum_resolution", s.view.skip_sum_resolution);

  const json& timeline = r.section(root, "timeline");
  if (timeline.contains("keys")) {
    const json& keys = timeline.at("keys");
    if (!keys.is_array())
      throw InputError(source, std::string("'timeline.keys' has the wrong type (") + keys.type_name() + ")");
    for (size_t i = 0; i < keys.size(); ++i) {
      if (!keys[i].is_object())
        throw InputError(source, "'timeline.keys' entry " + std::to_string(i + 1) + " is not an object");
      s.timeline.keys.push_back(
          timeline_key(state_from_json(keys[i], source + " (timeline key " + std::to_string(i + 1) + ")")));
    }
  }
  r.read(timeline, "timeline", "kind", s.timeline.kind);
  if (s.timeline.kind != "linear" && s.timeline.kind != "cubic")
    throw InputError(source, "'timeline.kind' must be linear or cubic, not '" + s.timeline.kind + "'");
  r.read(timeline, "timeline", "frames_per_key", s.timeline.frames_per_key);
  if (s.timeline.frames_per_key < 1) throw InputError(source, "'timeline.frames_per_key' must be at least 1");
  r.read(timeline, "timeline", "segment_frames", s.timeline.segment_frames);
  for (int n : s.timeline.segment_frames)
    if (n < 1) throw InputError(source, "'timeline.segment_frames' must hold frame counts of at least 1");
  r.read(timeline, "timeline", "loop", s.timeline.loop);
  r.read(timeline, "timeline", "fps", s.timeline.fps);
  if (!(s.timeline.fps > 0)) throw InputError(source, "'timeline.fps' must be positive");
  r.read(timeline, "timeline", "crf", s.timeline.crf);
  if (s.timeline.crf < 0 || s.timeline.crf > 51) throw InputError(source, "'timeline.crf' must be 0 to 51");
  r.read(timeline, "timeline", "position", s.timeline.position);
  r.read(timeline, "timeline", "playing", s.timeline.playing);
  r.read(timeline, "timeline", "preview", s.timeline.preview);
  return s;
}

ExplorerState apply_patch(const ExplorerState& state, const json& patch, const std::string& source) {
  if (!patch.is_object()) throw InputError(source, "a \"set\" patch must be a JSON object");
  json merged = to_json(state);
  merged.merge_patch(patch);
  return state_from_json(merged, source);
}

void save_session(const std::string& path, const ExplorerState& state) {
  const std::string text = to_json(state).dump(2) + "\n";
  write_file_atomic(path, text.data(), text.size());
}

json read_json_file(const std::string& path, const std::string& what) {
  const ByteBuffer bytes = read_file(path);
  const char* text = reinterpret_cast<const char*>(bytes.data);
  try {
    return json::parse(text, text + bytes.size);
  } catch (const json::parse_error& e) {
    throw InputError(path, "not a JSON " + what + " (" + e.what() + ")");
  }
}

ExplorerState load_session(const std::string& path) {
  return state_from_json(read_json_file(path, "session file"), path);
}

}  // namespace stylescope
