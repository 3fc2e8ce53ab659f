// `stylescope convert`: a .pkl or snapshot to StyleScope's .safetensors (G_ema, and D when present).
#include <iostream>

#include "app/cli/commands.h"
#include "app/cli/common.h"
#include "core/io/errors.h"
#include "core/model/class_names.h"

namespace stylescope::cli {

void add_convert_command(CLI::App& app) {
  auto common = std::make_shared<CommonOptions>();
  auto config = std::make_shared<std::string>();
  auto class_names = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("convert", "Convert a .pkl or snapshot to StyleScope .safetensors");
  add_model_options(cmd, *common);
  cmd->add_option("--config", *config, "Write a random-weight model of this official configuration instead")
      ->check(CLI::IsMember(GeneratorConfig::named_configs()));
  cmd->add_option("--out", common->out, "Output .safetensors file")->required();
  cmd->add_option("--class-names", *class_names,
                  "Names of a conditional model's classes, comma-separated (shown by info and the window)");
  cmd->callback([common, config, class_names]() {
    const std::string& out = common->out;
    if (out.size() < 12 || out.compare(out.size() - 12, 12, ".safetensors") != 0)
      throw InputError(out, "--out must end in .safetensors");
    if (!config->empty() && !common->model.empty())
      throw InputError("convert: give --model or --config, not both");
    LoadedModel m;
    if (config->empty()) {
      m = load_model(resolve_model_path(common->model), setup_device(*common));
    } else {
      // The official initialization (as `bench --config`): for timing and trying pipelines, not images.
      m.config = GeneratorConfig::named(*config);
      m.G = random_generator(m.config);
      m.generator_source = "random " + *config;
    }
    if (!class_names->empty())
      m.info["class_names"] = parse_class_names(*class_names, m.config.c_dim, "--class-names");
    save_model_safetensors(out, m);
    std::cerr << "wrote " << out << " (" << m.generator_source << (m.d_tensors.empty() ? "" : " + D")
              << ")\n";
  });
}

}  // namespace stylescope::cli
