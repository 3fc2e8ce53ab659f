#include "core/model/discriminator_config.h"

#include <set>

#include "core/io/errors.h"

namespace stylescope {

std::vector<int> DiscriminatorConfig::block_resolutions() const {
  std::vector<int> r;
  for (int res = img_resolution; res >= 8; res /= 2) r.push_back(res);
  return r;
}

int DiscriminatorConfig::channels(int res) const { return std::min(channel_base / res, channel_max); }

int DiscriminatorConfig::effective_cmap_dim() const {
  if (c_dim == 0) return 0;
  return cmap_dim ? *cmap_dim : channels(4);
}

int DiscriminatorConfig::fp16_resolution() const {
  int log2 = 0;
  while ((1 << log2) < img_resolution) ++log2;
  return std::max(1 << std::max(log2 + 1 - num_fp16_res, 0), 8);
}

void DiscriminatorConfig::validate(const std::string& file) const {
  auto fail = [&](const std::string& what) { throw InputError(file, "unsupported discriminator: " + what); };
  if (img_resolution < 8 || img_resolution > 1024 || (img_resolution & (img_resolution - 1)) != 0)
    fail("img_resolution " + std::to_string(img_resolution) + " (expected a power of two from 8 to 1024)");
  if (img_channels < 1 || img_channels > 4)
    fail("img_channels " + std::to_string(img_channels) + " (expected 1 to 4)");
  if (c_dim < 0 || c_dim > 1000000) fail("c_dim " + std::to_string(c_dim));
  if (channel_base < 1 || channel_max < 1) fail("channel_base/channel_max must be positive");
  if (channels(img_resolution) < 1) fail("no channels at resolution " + std::to_string(img_resolution));
  if (cmap_dim && (*cmap_dim < 1 || *cmap_dim > 65536)) fail("cmap_dim " + std::to_string(*cmap_dim));
  if (freeze_layers < 0) fail("freeze_layers " + std::to_string(freeze_layers));
  if (mbstd_group_size < 0) fail("mbstd_group_size " + std::to_string(mbstd_group_size));
  if (mbstd_num_channels < 0 || (mbstd_num_channels > 0 && channels(4) % mbstd_num_channels != 0))
    fail("mbstd_num_channels " + std::to_string(mbstd_num_channels) + " (must divide the " +
         std::to_string(channels(4)) + " channels at 4x4)");
  for (const std::string* act : {&block_activation, &epilogue_activation, &mapping_activation})
    if (*act != "lrelu" && *act != "linear" && *act != "relu") fail("activation '" + *act + "'");
  if (mapping_layers < 1 || mapping_layers > 64) fail("mapping num_layers " + std::to_string(mapping_layers));
  if (!(mapping_lr_multiplier > 0)) fail("mapping lr_multiplier must be positive");
  for (const auto& f : {mapping_embed_features, mapping_layer_features})
    if (f && (*f < 1 || *f > 65536)) fail("mapping features " + std::to_string(*f));
}

nlohmann::json DiscriminatorConfig::to_kwargs() const {
  using json = nlohmann::json;
  auto opt = [](const auto& v) { return v ? json(*v) : json(); };
  json block = {{"activation", block_activation},
                {"freeze_layers", freeze_layers},
                {"fp16_channels_last", fp16_channels_last}};
  json mapping = {{"num_layers", mapping_layers},
                  {"embed_features", opt(mapping_embed_features)},
                  {"layer_features", opt(mapping_layer_features)},
                  {"activation", mapping_activation},
                  {"lr_multiplier", mapping_lr_multiplier}};
  json epilogue = {{"mbstd_group_size", mbstd_group_size > 0 ? json(mbstd_group_size) : json()},
                   {"mbstd_num_channels", mbstd_num_channels},
                   {"activation", epilogue_activation}};
  return {{"c_dim", c_dim},
          {"img_resolution", img_resolution},
          {"img_channels", img_channels},
          {"architecture", architecture_name(architecture)},
          {"channel_base", channel_base},
          {"channel_max", channel_max},
          {"num_fp16_res", num_fp16_res},
          {"conv_clamp", opt(conv_clamp)},
          {"cmap_dim", opt(cmap_dim)},
          {"block_kwargs", block},
          {"mapping_kwargs", mapping},
          {"epilogue_kwargs", epilogue}};
}

namespace {

using json = nlohmann::json;

// Reads the keys of one kwargs dict; any key it was not asked about is an error, as the official
// constructor's TypeError would be.
class KwargsReader {
 public:
  KwargsReader(json j, std::string where, const std::string& file)
      : j_(std::move(j)), where_(std::move(where)) {
    if (!j_.is_object()) throw InputError(file, "discriminator " + where_ + " is not a dict");
  }
  template <typename Fn>
  void read(const char* key, Fn fn) {
    seen_.insert(key);
    if (j_.contains(key)) fn(j_[key]);
  }
  void reject_unknown(const std::string& file) const {
    for (const auto& item : j_.items())
      if (!seen_.count(item.key()))
        throw InputError(file, "discriminator " + where_ + ": unexpected argument '" + item.key() + "'");
  }

 private:
  json j_;
  std::string where_;
  std::set<std::string> seen_;
};

template <typename T>
void set_optional(std::optional<T>& out, const json& v) {
  out = v.is_null() ? std::nullopt : std::optional<T>(v.get<T>());
}

json sub_dict(const json& kw, const char* key) {
  return kw.contains(key) && !kw[key].is_null() ? kw[key] : json::object();
}

}  // namespace

DiscriminatorConfig DiscriminatorConfig::from_kwargs(const json& kw, const std::string& file) {
  if (!kw.is_object()) throw InputError(file, "discriminator kwargs are not a dict");
  DiscriminatorConfig c;
  try {
    KwargsReader top(kw, "kwargs", file);
    for (const char* key : {"c_dim", "img_resolution", "img_channels"}) {
      if (!kw.contains(key) || !kw[key].is_number_integer())
        throw InputError(file, std::string("discriminator kwargs: expected an integer '") + key + "'");
    }
    top.read("c_dim", [&](const json& v) { c.c_dim = v.get<int>(); });
    top.read("img_resolution", [&](const json& v) { c.img_resolution = v.get<int>(); });
    top.read("img_channels", [&](const json& v) { c.img_channels = v.get<int>(); });
    top.read("architecture",
             [&](const json& v) { c.architecture = parse_architecture(v.get<std::string>()); });
    top.read("channel_base", [&](const json& v) { c.channel_base = v.get<int>(); });
    top.read("channel_max", [&](const json& v) { c.channel_max = v.get<int>(); });
    top.read("num_fp16_res", [&](const json& v) { c.num_fp16_res = v.get<int>(); });
    top.read("conv_clamp", [&](const json& v) { set_optional(c.conv_clamp, v); });
    top.read("cmap_dim", [&](const json& v) { set_optional(c.cmap_dim, v); });
    top.read("block_kwargs", [](const json&) {});
    top.read("mapping_kwargs", [](const json&) {});
    top.read("epilogue_kwargs", [](const json&) {});
    top.reject_unknown(file);

    KwargsReader block(sub_dict(kw, "block_kwargs"), "block_kwargs", file);
    block.read("activation", [&](const json& v) { c.block_activation = v.get<std::string>(); });
    block.read("freeze_layers", [&](const json& v) { c.freeze_layers = v.get<int>(); });
    block.read("fp16_channels_last", [&](const json& v) { c.fp16_channels_last = v.get<bool>(); });
    block.read("resample_filter", [&](const json& v) {
      if (v.get<std::vector<double>>() != std::vector<double>{1, 3, 3, 1})
        throw InputError(file, "unsupported discriminator: resample_filter other than [1,3,3,1]");
    });
    block.reject_unknown(file);

    KwargsReader mapping(sub_dict(kw, "mapping_kwargs"), "mapping_kwargs", file);
    mapping.read("num_layers", [&](const json& v) { c.mapping_layers = v.get<int>(); });
    mapping.read("embed_features", [&](const json& v) { set_optional(c.mapping_embed_features, v); });
    mapping.read("layer_features", [&](const json& v) { set_optional(c.mapping_layer_features, v); });
    mapping.read("activation", [&](const json& v) { c.mapping_activation = v.get<std::string>(); });
    mapping.read("lr_multiplier", [&](const json& v) { c.mapping_lr_multiplier = v.get<double>(); });
    mapping.reject_unknown(file);

    KwargsReader epilogue(sub_dict(kw, "epilogue_kwargs"), "epilogue_kwargs", file);
    epilogue.read("mbstd_group_size", [&](const json& v) {
      // None means one group for the whole minibatch; the config spells that 0, so 0 itself is refused.
      c.mbstd_group_size = v.is_null() ? 0 : v.get<int>();
      if (!v.is_null() && c.mbstd_group_size < 1)
        throw InputError(file,
                         "unsupported discriminator: mbstd_group_size " + std::to_string(c.mbstd_group_size));
    });
    epilogue.read("mbstd_num_channels", [&](const json& v) { c.mbstd_num_channels = v.get<int>(); });
    epilogue.read("activation", [&](const json& v) { c.epilogue_activation = v.get<std::string>(); });
    epilogue.reject_unknown(file);
  } catch (const json::exception& e) {
    throw InputError(file, std::string("discriminator kwargs have an unexpected type: ") + e.what());
  } catch (const InputError& e) {
    const std::string what = e.what();
    if (what.rfind(file + ": ", 0) == 0) throw;  // already names the file
    throw InputError(file, what);
  }
  c.validate(file);
  return c;
}

}  // namespace stylescope
