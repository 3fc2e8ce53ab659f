#include "core/model/config.h"

#include "core/io/errors.h"

namespace stylescope {

const char* architecture_name(Architecture a) {
  switch (a) {
    case Architecture::Orig: return "orig";
    case Architecture::Skip: return "skip";
    case Architecture::Resnet: return "resnet";
  }
  return "?";
}

Architecture parse_architecture(const std::string& name) {
  if (name == "orig") return Architecture::Orig;
  if (name == "skip") return Architecture::Skip;
  if (name == "resnet") return Architecture::Resnet;
  throw InputError("unknown architecture '" + name + "' (expected orig, skip or resnet)");
}

int GeneratorConfig::resolution_log2() const {
  int l = 0;
  while ((1 << l) < img_resolution) ++l;
  return l;
}

std::vector<int> GeneratorConfig::block_resolutions() const {
  std::vector<int> r;
  for (int res = 4; res <= img_resolution; res *= 2) r.push_back(res);
  return r;
}

int GeneratorConfig::channels(int res) const { return std::min(channel_base / res, channel_max); }
int GeneratorConfig::num_ws() const { return 2 * resolution_log2() - 2; }
int GeneratorConfig::embed_features() const {
  if (c_dim == 0) return 0;
  return mapping.embed_features < 0 ? w_dim : mapping.embed_features;
}
int GeneratorConfig::layer_features() const {
  return mapping.layer_features < 0 ? w_dim : mapping.layer_features;
}
int GeneratorConfig::fp16_resolution() const {
  return std::max(1 << (resolution_log2() + 1 - num_fp16_res), 8);
}

void GeneratorConfig::validate(const std::string& file) const {
  auto fail = [&](const std::string& what) { throw InputError(file, "unsupported generator: " + what); };
  if (img_resolution < 4 || img_resolution > 1024 || (img_resolution & (img_resolution - 1)) != 0)
    fail("img_resolution " + std::to_string(img_resolution) + " (expected a power of two from 4 to 1024)");
  if (img_channels < 1 || img_channels > 4)
    fail("img_channels " + std::to_string(img_channels) + " (expected 1 to 4)");
  if (z_dim < 0 || z_dim > 65536) fail("z_dim " + std::to_string(z_dim));
  if (w_dim < 1 || w_dim > 65536) fail("w_dim " + std::to_string(w_dim));
  if (c_dim < 0 || c_dim > 1000000) fail("c_dim " + std::to_string(c_dim));
  if (mapping.num_layers < 1 || mapping.num_layers > 64)
    fail("mapping num_layers " + std::to_string(mapping.num_layers));
  if (mapping.activation != "lrelu" && mapping.activation != "linear" && mapping.activation != "relu")
    fail("mapping activation '" + mapping.activation + "'");
  if (channel_base < 1 || channel_max < 1) fail("channel_base/channel_max must be positive");
  for (int res : block_resolutions())
    if (channels(res) < 1) fail("no channels at resolution " + std::to_string(res));
  if (resample_filter != std::vector<double>{1, 3, 3, 1})
    fail("resample_filter other than [1,3,3,1]");
}

nlohmann::json GeneratorConfig::to_kwargs() const {
  nlohmann::json mk = {{"num_layers", mapping.num_layers},
                       {"activation", mapping.activation},
                       {"lr_multiplier", mapping.lr_multiplier}};
  mk["embed_features"] = mapping.embed_features < 0 ? nlohmann::json() : nlohmann::json(mapping.embed_features);
  mk["layer_features"] = mapping.layer_features < 0 ? nlohmann::json() : nlohmann::json(mapping.layer_features);
  mk["w_avg_beta"] = mapping.w_avg_beta ? nlohmann::json(*mapping.w_avg_beta) : nlohmann::json();
  nlohmann::json sk = {{"channel_base", channel_base},   {"channel_max", channel_max},
                       {"num_fp16_res", num_fp16_res},   {"architecture", architecture_name(architecture)},
                       {"resample_filter", resample_filter}, {"use_noise", use_noise}};
  sk["conv_clamp"] = conv_clamp ? nlohmann::json(*conv_clamp) : nlohmann::json();
  return {{"z_dim", z_dim},
          {"c_dim", c_dim},
          {"w_dim", w_dim},
          {"img_resolution", img_resolution},
          {"img_channels", img_channels},
          {"mapping_kwargs", mk},
          {"synthesis_kwargs", sk}};
}

namespace {

int get_int(const nlohmann::json& j, const char* key, const std::string& file) {
  if (!j.contains(key) || !j[key].is_number_integer())
    throw InputError(file, std::string("generator kwargs: expected an integer '") + key + "'");
  return j[key].get<int>();
}

template <typename Fn>
void if_present(const nlohmann::json& j, const char* key, Fn fn) {
  if (j.is_object() && j.contains(key)) fn(j[key]);
}

}  // namespace

GeneratorConfig GeneratorConfig::from_kwargs(const nlohmann::json& kw, const std::string& file) {
  if (!kw.is_object()) throw InputError(file, "generator kwargs are not a dict");
  GeneratorConfig c;
  c.z_dim = get_int(kw, "z_dim", file);
  c.c_dim = get_int(kw, "c_dim", file);
  c.w_dim = get_int(kw, "w_dim", file);
  c.img_resolution = get_int(kw, "img_resolution", file);
  c.img_channels = get_int(kw, "img_channels", file);
  try {
    const nlohmann::json mk = kw.value("mapping_kwargs", nlohmann::json::object());
    if_present(mk, "num_layers", [&](const auto& v) { c.mapping.num_layers = v.template get<int>(); });
    if_present(mk, "embed_features", [&](const auto& v) { if (!v.is_null()) c.mapping.embed_features = v.template get<int>(); });
    if_present(mk, "layer_features", [&](const auto& v) { if (!v.is_null()) c.mapping.layer_features = v.template get<int>(); });
    if_present(mk, "activation", [&](const auto& v) { c.mapping.activation = v.template get<std::string>(); });
    if_present(mk, "lr_multiplier", [&](const auto& v) { c.mapping.lr_multiplier = v.template get<double>(); });
    // stylegan3 repo: synthesis kwargs are flattened into the Generator's kwargs.
    c.stylegan3_layout = !kw.contains("synthesis_kwargs");
    const nlohmann::json sk = c.stylegan3_layout ? kw : kw["synthesis_kwargs"];
    if (c.stylegan3_layout) {
      c.mapping.w_avg_beta = 0.998;
      c.num_fp16_res = 4;
      c.conv_clamp = 256.0;
    }
    if_present(mk, "w_avg_beta", [&](const auto& v) {
      c.mapping.w_avg_beta = v.is_null() ? std::nullopt : std::optional<double>(v.template get<double>());
    });
    if_present(sk, "channel_base", [&](const auto& v) { c.channel_base = v.template get<int>(); });
    if_present(sk, "channel_max", [&](const auto& v) { c.channel_max = v.template get<int>(); });
    if_present(sk, "num_fp16_res", [&](const auto& v) { c.num_fp16_res = v.template get<int>(); });
    if_present(sk, "conv_clamp", [&](const auto& v) {
      c.conv_clamp = v.is_null() ? std::nullopt : std::optional<double>(v.template get<double>());
    });
    if_present(sk, "architecture", [&](const auto& v) { c.architecture = parse_architecture(v.template get<std::string>()); });
    if_present(sk, "resample_filter", [&](const auto& v) { c.resample_filter = v.template get<std::vector<double>>(); });
    if_present(sk, "use_noise", [&](const auto& v) { c.use_noise = v.template get<bool>(); });
  } catch (const nlohmann::json::exception& e) {
    throw InputError(file, std::string("generator kwargs have an unexpected type: ") + e.what());
  } catch (const InputError& e) {
    throw InputError(file, e.what());
  }
  c.validate(file);
  return c;
}

GeneratorConfig GeneratorConfig::named(const std::string& name) {
  GeneratorConfig c;
  c.z_dim = c.w_dim = 512;
  c.num_fp16_res = 4;
  c.conv_clamp = 256.0;
  if (name == "stylegan2" || name == "paper1024") {
    c.img_resolution = 1024;
  } else if (name == "paper256") {
    c.img_resolution = 256;
    c.channel_base = 16384;
  } else if (name == "paper512") {
    c.img_resolution = 512;
  } else if (name == "cifar") {
    c.img_resolution = 32;
    c.c_dim = 10;
    c.mapping.num_layers = 2;
  } else {
    throw InputError("unknown configuration '" + name + "' (expected stylegan2, paper256, paper512, paper1024 or cifar)");
  }
  return c;
}

std::vector<std::string> GeneratorConfig::named_configs() {
  return {"stylegan2", "paper256", "paper512", "paper1024", "cifar"};
}

}  // namespace stylescope
