// `stylescope info`: architecture and training kwargs as JSON.
#include <iostream>

#include "app/cli/commands.h"
#include "app/cli/common.h"

namespace stylescope::cli {

namespace {

nlohmann::json describe(LoadedModel& m) {
  const GeneratorConfig& c = m.config;
  nlohmann::json channels = nlohmann::json::object();
  for (int res : c.block_resolutions()) channels[std::to_string(res)] = c.channels(res);
  nlohmann::json j;
  j["file"] = m.path;
  j["format"] = m.format;
  j["networks"] = m.networks;
  j["generator_from"] = m.generator_source;
  j["resolution"] = c.img_resolution;
  j["img_channels"] = c.img_channels;
  j["z_dim"] = c.z_dim;
  j["w_dim"] = c.w_dim;
  j["c_dim"] = c.c_dim;
  j["num_ws"] = c.num_ws();
  j["architecture"] = architecture_name(c.architecture);
  j["mapping_layers"] = c.mapping.num_layers;
  j["mapping_lr_multiplier"] = c.mapping.lr_multiplier;
  j["channel_base"] = c.channel_base;
  j["channel_max"] = c.channel_max;
  j["channels"] = channels;
  j["conv_clamp"] = c.conv_clamp ? nlohmann::json(*c.conv_clamp) : nlohmann::json();
  j["num_fp16_res"] = c.num_fp16_res;
  j["params"] = parameter_count(*m.G);
  j["mapping_params"] = parameter_count(*m.G->mapping);
  j["synthesis_params"] = parameter_count(*m.G->synthesis);
  j["G_kwargs"] = c.to_kwargs();
  j["D_kwargs"] = m.d_kwargs;
  j["training_set_kwargs"] = m.training_set_kwargs;
  for (auto& [k, v] : m.info.items()) j[k] = v;
  return j;
}

}  // namespace

void add_info_command(CLI::App& app) {
  auto common = std::make_shared<CommonOptions>();
  CLI::App* cmd = app.add_subcommand("info", "Print the model's architecture and training kwargs as JSON");
  add_model_options(cmd, *common);
  cmd->callback([common]() {
    LoadedModel m = load_model(resolve_model_path(common->model), setup_device(*common));
    std::cout << describe(m).dump(2) << std::endl;
  });
}

}  // namespace stylescope::cli
