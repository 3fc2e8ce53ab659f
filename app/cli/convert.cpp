// `stylescope convert`: a .pkl or snapshot to StyleScope's .safetensors (G_ema, and D when present).
#include <iostream>

#include "app/cli/commands.h"
#include "app/cli/common.h"
#include "core/io/errors.h"

namespace stylescope::cli {

void add_convert_command(CLI::App& app) {
  auto common = std::make_shared<CommonOptions>();
  CLI::App* cmd = app.add_subcommand("convert", "Convert a .pkl or snapshot to StyleScope .safetensors");
  add_model_options(cmd, *common);
  cmd->add_option("--out", common->out, "Output .safetensors file")->required();
  cmd->callback([common]() {
    const std::string& out = common->out;
    if (out.size() < 12 || out.compare(out.size() - 12, 12, ".safetensors") != 0)
      throw InputError(out, "--out must end in .safetensors");
    LoadedModel m = load_model(resolve_model_path(common->model), setup_device(*common));
    save_model_safetensors(out, m);
    std::cerr << "wrote " << out << " (" << m.generator_source << (m.d_tensors.empty() ? "" : " + D") << ")\n";
  });
}

}  // namespace stylescope::cli
