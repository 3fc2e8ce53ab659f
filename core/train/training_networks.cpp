#include "core/train/training_networks.h"

#include <set>

#include "core/io/errors.h"
#include "core/io/pickle/network_pickle.h"
#include "core/io/safetensors.h"
#include "core/model/init_random.h"
#include "core/model/model_file.h"

namespace stylescope::train {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

DiscriminatorConfig discriminator_config(const nlohmann::json& kwargs, const ResolvedTraining& r,
                                         const std::string& file) {
  DiscriminatorConfig d = DiscriminatorConfig::from_kwargs(kwargs, file);
  d.freeze_layers = r.freeze_layers;
  d.mbstd_group_size = r.mbstd_group;
  d.validate(file);
  return d;
}

// Raw tensors of one network ("G.", "D.", "G_ema.") and the other entries of a StyleScope safetensors file.
struct SafetensorsNetworks {
  std::map<std::string, std::map<std::string, RawTensor>> nets;
  std::map<std::string, RawTensor> other;
  std::map<std::string, std::string> metadata;
};

SafetensorsNetworks read_networks(const std::string& path) {
  SafetensorsFile file = read_safetensors(path);
  SafetensorsNetworks out;
  out.metadata = file.metadata;
  for (auto& [name, tensor] : file.tensors) {
    const auto dot = name.find('.');
    const std::string net = dot == std::string::npos ? "" : name.substr(0, dot);
    if (net == "G" || net == "D" || net == "G_ema")
      out.nets[net][name.substr(dot + 1)] = tensor;
    else
      out.other[name] = tensor;
  }
  return out;
}

nlohmann::json parse_metadata(const std::map<std::string, std::string>& metadata, const char* key,
                              const std::string& path) {
  auto it = metadata.find(key);
  if (it == metadata.end()) return nullptr;
  try {
    return nlohmann::json::parse(it->second);
  } catch (const nlohmann::json::exception&) {
    throw InputError(path, std::string("__metadata__ ") + key + " is not valid JSON");
  }
}

NamedTensors optimizer_state(const std::map<std::string, RawTensor>& other, const std::string& prefix) {
  NamedTensors out;
  for (auto& [name, raw] : other)
    if (name.rfind(prefix, 0) == 0) {
      torch::Tensor t = to_torch(raw);
      if (raw.dtype == DType::Float64) t = t.to(torch::kFloat64);
      out.emplace_back(name.substr(prefix.size()), t);
    }
  return out;
}

}  // namespace

Generator copy_generator(Generator& source) {
  torch::NoGradGuard no_grad;
  Generator copy{nullptr};
  {
    SkipRandomInit no_draws;  // every tensor is overwritten below
    copy = Generator(source->config);
  }
  auto src = state_dict(*source);
  auto dst = state_dict(*copy);
  for (size_t i = 0; i < src.size(); ++i) dst[i].second.copy_(src[i].second);
  copy->to(src.empty() ? torch::Device(torch::kCPU) : src[0].second.device());
  for (auto& p : copy->parameters()) p.set_requires_grad(false);
  copy->eval();
  return copy;
}

TrainingNetworks fresh_networks(const ResolvedTraining& r) {
  torch::manual_seed(r.seed);
  TrainingNetworks n;
  n.G_config = r.G;
  n.G = Generator(r.G);
  n.G_ema = copy_generator(n.G);
  n.D_config = discriminator_config(r.D_kwargs, r, "--cfg " + r.cfg);
  n.D = Discriminator(n.D_config);
  return n;
}

TrainingNetworks load_networks(const std::string& path, const ResolvedTraining& r) {
  TrainingNetworks n;
  std::map<std::string, RawTensor> g_tensors, g_ema_tensors, d_tensors;
  nlohmann::json g_kwargs, d_kwargs;
  bool has_g = false, has_g_ema = false, has_d = false;
  if (ends_with(path, ".safetensors")) {
    SafetensorsNetworks file = read_networks(path);
    auto format = file.metadata.find("format");
    if (format == file.metadata.end() || format->second != "stylescope/1")
      throw InputError(path, "not a StyleScope model: __metadata__ has no \"format\": \"stylescope/1\"");
    g_kwargs = parse_metadata(file.metadata, "G_kwargs", path);
    d_kwargs = parse_metadata(file.metadata, "D_kwargs", path);
    n.training_set_kwargs = parse_metadata(file.metadata, "training_set_kwargs", path);
    has_g = file.nets.count("G"), has_g_ema = file.nets.count("G_ema"), has_d = file.nets.count("D");
    if (has_g) g_tensors = file.nets["G"];
    if (has_g_ema) g_ema_tensors = file.nets["G_ema"];
    if (has_d) d_tensors = file.nets["D"];
    nlohmann::json state = parse_metadata(file.metadata, "training_state", path);
    if (!state.is_null()) {
      n.is_snapshot = true;
      n.training_state = state;
      n.opt_G_state = optimizer_state(file.other, "opt_G.");
      n.opt_D_state = optimizer_state(file.other, "opt_D.");
      auto rng = file.other.find("training.rng_state");
      if (rng != file.other.end()) n.rng_state = to_torch(rng->second).to(torch::kUInt8);
    }
  } else if (ends_with(path, ".pkl") || ends_with(path, ".pickle")) {
    NetworkPickle pkl = read_network_pickle(path);
    if (pkl.G) has_g = true, g_tensors = pkl.G->tensors, g_kwargs = pkl.G->init_kwargs;
    if (pkl.G_ema) has_g_ema = true, g_ema_tensors = pkl.G_ema->tensors, g_kwargs = pkl.G_ema->init_kwargs;
    if (pkl.D) has_d = true, d_tensors = pkl.D->tensors, d_kwargs = pkl.D->init_kwargs;
    n.training_set_kwargs = pkl.training_set_kwargs;
  } else {
    throw InputError(path, "unknown model file type (expected .pkl or .safetensors)");
  }
  if (!has_g && !has_g_ema) throw InputError(path, "holds no generator (expected G or G_ema)");
  if (g_kwargs.is_null()) throw InputError(path, "has no generator kwargs (G_kwargs)");
  n.G_config = GeneratorConfig::from_kwargs(g_kwargs, path);
  n.G = build_generator(n.G_config, has_g ? g_tensors : g_ema_tensors, path, has_g ? "G" : "G_ema");
  n.G_ema =
      build_generator(n.G_config, has_g_ema ? g_ema_tensors : g_tensors, path, has_g_ema ? "G_ema" : "G");
  if (has_d) {
    if (d_kwargs.is_null()) throw InputError(path, "holds D tensors but no D_kwargs");
    n.D_config = discriminator_config(d_kwargs, r, path);
    n.D = build_discriminator(n.D_config, d_tensors, path);
  } else {
    nlohmann::json kwargs = r.D_kwargs;
    kwargs["c_dim"] = n.G_config.c_dim;
    kwargs["img_resolution"] = n.G_config.img_resolution;
    kwargs["img_channels"] = n.G_config.img_channels;
    n.D_config = discriminator_config(kwargs, r, path);
    torch::manual_seed(r.seed);
    n.D = Discriminator(n.D_config);
  }
  return n;
}

void prepare_for_training(TrainingNetworks& nets) {
  nets.G->train();
  for (auto& p : nets.G->parameters()) p.set_requires_grad(true);
  nets.D->train();
  for (auto& p : nets.D->parameters()) p.set_requires_grad(false);
  for (auto& [name, p] : trainable_parameters(nets.D)) p.set_requires_grad(true);
  nets.G_ema->eval();
  for (auto& p : nets.G_ema->parameters()) p.set_requires_grad(false);
}

void update_ema(Generator& G_ema, Generator& G, double beta) {
  torch::NoGradGuard no_grad;
  auto ema_params = G_ema->named_parameters(true);
  for (const auto& item : G->named_parameters(true)) {
    torch::Tensor& target = ema_params[item.key()];
    target.copy_(torch::lerp(item.value().detach(), target, beta));
  }
  auto ema_buffers = G_ema->named_buffers(true);
  for (const auto& item : G->named_buffers(true)) ema_buffers[item.key()].copy_(item.value());
}

NamedTensors generator_parameters(Generator& G) {
  NamedTensors out;
  for (const auto& item : G->named_parameters(true)) out.emplace_back(item.key(), item.value());
  return out;
}

}  // namespace stylescope::train
