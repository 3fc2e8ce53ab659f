#include "core/model/model_file.h"

#include <cstring>
#include <set>

#include "core/io/errors.h"
#include "core/io/pickle/network_pickle.h"
#include "core/io/safetensors.h"
#include "core/io/tensor_ref.h"
#include "core/model/class_names.h"

namespace stylescope {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

LoadedModel load_pickle(const std::string& path, torch::Device device) {
  NetworkPickle pkl = read_network_pickle(path);
  LoadedModel m;
  m.path = path;
  m.format = "pkl";
  if (pkl.G) m.networks.push_back("G");
  if (pkl.D) m.networks.push_back("D");
  if (pkl.G_ema) m.networks.push_back("G_ema");
  const NetworkModule* g = pkl.G_ema ? &*pkl.G_ema : (pkl.G ? &*pkl.G : nullptr);
  if (!g) throw UnsupportedError(path, "the pickle holds no generator (expected G_ema or G)");
  m.generator_source = pkl.G_ema ? "G_ema" : "G";
  if (g->class_name != "Generator")
    throw UnsupportedError(path,
                           m.generator_source + " is a '" + g->class_name + "', not a StyleGAN2 Generator");
  m.config = GeneratorConfig::from_kwargs(g->init_kwargs, path);
  m.G = build_generator(m.config, g->tensors, path, m.generator_source);
  m.G->to(device);
  if (pkl.D) {
    m.d_kwargs = pkl.D->init_kwargs;
    m.d_tensors = pkl.D->tensors;
    // The stylegan3 repo's Discriminator has other defaults (spec §2.1); writing them out makes the kwargs
    // mean the same in any layout (and in the safetensors files written from them).
    if (m.config.stylegan3_layout && m.d_kwargs.is_object()) {
      m.d_kwargs.emplace("num_fp16_res", 4);
      m.d_kwargs.emplace("conv_clamp", 256);
    }
  }
  m.training_set_kwargs = pkl.training_set_kwargs;
  m.info["source_layout"] =
      m.config.stylegan3_layout ? "stylegan3 (networks_stylegan2)" : "stylegan2-ada-pytorch";
  m.info["has_augment_pipe"] = pkl.has_augment_pipe;
  return m;
}

LoadedModel load_safetensors(const std::string& path, torch::Device device) {
  SafetensorsFile file = read_safetensors(path);
  auto format = file.metadata.find("format");
  if (format == file.metadata.end() || format->second.rfind("stylescope/", 0) != 0)
    throw InputError(path, "not a StyleScope model: __metadata__ has no \"format\": \"stylescope/1\"");
  if (format->second != "stylescope/1")
    throw UnsupportedError(
        path, "model format '" + format->second + "' is newer than this StyleScope (stylescope/1)");
  auto parse_json = [&](const char* key) -> nlohmann::json {
    auto it = file.metadata.find(key);
    if (it == file.metadata.end()) return nullptr;
    try {
      return nlohmann::json::parse(it->second);
    } catch (const nlohmann::json::exception&) {
      throw InputError(path, std::string("__metadata__ ") + key + " is not valid JSON");
    }
  };
  LoadedModel m;
  m.path = path;
  m.format = "safetensors";
  std::map<std::string, std::map<std::string, RawTensor>> nets;
  for (auto& [name, tensor] : file.tensors) {
    const auto dot = name.find('.');
    if (dot == std::string::npos) continue;  // optimizer state or other non-network tensors
    const std::string net = name.substr(0, dot);
    if (net == "G_ema" || net == "G" || net == "D") nets[net][name.substr(dot + 1)] = tensor;
  }
  for (const char* net : {"G", "D", "G_ema"})
    if (nets.count(net)) m.networks.push_back(net);
  m.generator_source = nets.count("G_ema") ? "G_ema" : "G";
  if (!nets.count(m.generator_source)) throw InputError(path, "holds no generator tensors (G_ema.* or G.*)");
  nlohmann::json g_kwargs = parse_json("G_kwargs");
  if (g_kwargs.is_null()) throw InputError(path, "__metadata__ has no G_kwargs");
  m.config = GeneratorConfig::from_kwargs(g_kwargs, path);
  m.G = build_generator(m.config, nets[m.generator_source], path, m.generator_source);
  m.G->to(device);
  if (nets.count("D")) {
    m.d_kwargs = parse_json("D_kwargs");
    m.d_tensors = nets["D"];
  }
  m.training_set_kwargs = parse_json("training_set_kwargs");
  m.info["has_training_state"] = file.metadata.count("training_state") > 0;
  const nlohmann::json class_names = parse_json("class_names");
  if (!class_names.is_null()) m.info["class_names"] = checked_class_names(class_names, m.config.c_dim, path);
  return m;
}

}  // namespace

torch::Tensor to_torch(const RawTensor& raw) {
  std::vector<float> values = raw.to_float32();
  auto t = torch::empty(raw.shape, torch::kFloat32);
  if (!values.empty()) std::memcpy(t.data_ptr<float>(), values.data(), values.size() * sizeof(float));
  return t;
}

Generator build_generator(const GeneratorConfig& config, const std::map<std::string, RawTensor>& tensors,
                          const std::string& file, const std::string& network) {
  torch::NoGradGuard no_grad;
  Generator g(config);
  std::set<std::string> used;
  for (auto& [name, target] : state_dict(*g)) {
    auto it = tensors.find(name);
    if (it == tensors.end())
      throw InputError(file,
                       "missing tensor " + network + "." + name + " " + shape_string(target.sizes().vec()));
    const RawTensor& raw = it->second;
    if (raw.shape != target.sizes().vec())
      throw InputError(file, "tensor " + network + "." + name + " has shape " + shape_string(raw.shape) +
                                 ", expected " + shape_string(target.sizes().vec()));
    if (!raw.in_bounds())
      throw InputError(file, "tensor " + network + "." + name + " lies outside its storage");
    target.copy_(to_torch(raw));
    used.insert(name);
  }
  for (auto& [name, raw] : tensors)
    if (!used.count(name))
      throw InputError(file, "unexpected tensor " + network + "." + name + " " + shape_string(raw.shape) +
                                 " for a " + architecture_name(config.architecture) + " generator at " +
                                 std::to_string(config.img_resolution) + "x" +
                                 std::to_string(config.img_resolution));
  for (auto& p : g->parameters()) p.set_requires_grad(false);
  g->eval();
  return g;
}

Generator random_generator(const GeneratorConfig& config, uint64_t seed) {
  torch::manual_seed(seed);
  Generator g(config);  // constructors initialise as the official code does (N(0,1) weights, zero biases)
  for (auto& p : g->parameters()) p.set_requires_grad(false);
  g->eval();
  return g;
}

LoadedModel load_model(const std::string& path, torch::Device device) {
  if (ends_with(path, ".safetensors")) return load_safetensors(path, device);
  if (ends_with(path, ".pkl") || ends_with(path, ".pickle")) return load_pickle(path, device);
  throw InputError(path, "unknown model file type (expected .pkl or .safetensors)");
}

void save_model_safetensors(const std::string& path, const LoadedModel& model) {
  std::vector<std::pair<std::string, TensorRef>> entries;
  std::vector<torch::Tensor> keep_alive;
  Generator g = model.G;  // holder copy: state_dict needs a mutable module
  for (auto& [name, t] : state_dict(*g)) {
    auto c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    keep_alive.push_back(c);
    entries.emplace_back("G_ema." + name, TensorRef{DType::Float32, c.sizes().vec(), c.data_ptr()});
  }
  std::vector<std::vector<float>> d_data;
  d_data.reserve(model.d_tensors.size());
  for (auto& [name, raw] : model.d_tensors) {
    d_data.push_back(raw.to_float32());
    entries.emplace_back("D." + name, TensorRef{DType::Float32, raw.shape, d_data.back().data()});
  }
  std::map<std::string, std::string> metadata = {{"format", "stylescope/1"},
                                                 {"G_kwargs", model.config.to_kwargs().dump()}};
  if (!model.d_kwargs.is_null()) metadata["D_kwargs"] = model.d_kwargs.dump();
  if (!model.training_set_kwargs.is_null())
    metadata["training_set_kwargs"] = model.training_set_kwargs.dump();
  if (model.info.contains("class_names")) metadata["class_names"] = model.info["class_names"].dump();
  write_safetensors(path, metadata, entries);
}

}  // namespace stylescope
