#pragma once
// Reads an official NVIDIA network pickle (stylegan2-ada-pytorch / stylegan3 repo) into plain data:
// the module tree of each network with its attributes, constructor kwargs and tensors. Torch-free; it
// never imports or executes anything (see pickle_reader.h). Recognition follows spec §7.4.
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/io/raw_tensor.h"

namespace stylescope {

// One persistent network object (e.g. the Generator) flattened.
struct NetworkModule {
  std::string class_name;  // "Generator", "Discriminator", ...
  // Dotted submodule path ("" for the root, "synthesis.b4.conv1", ...) -> class name.
  std::map<std::string, std::string> module_classes;
  // Dotted submodule path -> the module's own plain attributes (spec §7.2 table; ints, floats, bools,
  // strings, lists of those; numpy scalars become numbers). Tensors and submodules are not in here.
  std::map<std::string, nlohmann::json> module_attributes;
  nlohmann::json init_kwargs = nlohmann::json::object();  // root `_init_kwargs` (EasyDicts become objects)
  // State-dict name ("synthesis.b4.const", "mapping.w_avg") -> tensor, from `_parameters` and
  // `_buffers` of every module recursively (None entries skipped).
  std::map<std::string, RawTensor> tensors;
};

struct NetworkPickle {
  std::optional<NetworkModule> G, D, G_ema;
  nlohmann::json training_set_kwargs;  // null when absent
  bool has_augment_pipe = false;
};

// Throws UnsupportedError for StyleGAN3 generators, TF-era pickles and pickles of other things (naming
// what was found), InputError for malformed/hostile data (naming the file and the problem).
NetworkPickle read_network_pickle(const std::string& path);
NetworkPickle read_network_pickle_bytes(ByteBuffer bytes, const std::string& name_for_errors);

}  // namespace stylescope
