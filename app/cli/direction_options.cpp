#include "app/cli/direction_options.h"

#include <cstdio>

#include "core/io/errors.h"
#include "core/latent/direction_file.h"
#include "core/model/model_hash.h"

namespace stylescope::cli {

void add_direction_options(CLI::App* cmd, DirectionFlags& flags) {
  cmd->add_option("--directions", flags.file,
                  "Direction set (.npy [k, w_dim], with its .json sidecar if any)");
  cmd->add_option("--alpha", flags.alpha, "Edits as INDEX:ALPHA pairs, e.g. 0:2.5,3:-1 (with --directions)");
}

DirectionSet load_directions_for_model(const std::string& path, LoadedModel& model) {
  DirectionSet set = load_direction_set(path, model.config.w_dim, model.config.num_ws());
  if (!set.model_hash.empty()) {
    const std::string hash = model_hash(*model.G);
    if (hash != set.model_hash)
      std::fprintf(
          stderr,
          "stylescope: warning: %s was computed for another model (hash %.12s..., this one %.12s...)\n",
          path.c_str(), set.model_hash.c_str(), hash.c_str());
  }
  return set;
}

std::optional<CliEdits> load_cli_edits(const DirectionFlags& flags, LoadedModel& model) {
  if (flags.file.empty() && flags.alpha.empty()) return std::nullopt;
  if (flags.file.empty()) throw InputError("--alpha needs --directions");
  if (flags.alpha.empty()) throw InputError("--directions needs --alpha (e.g. --alpha 0:2.5)");
  CliEdits edits;
  edits.set = load_directions_for_model(flags.file, model);
  edits.edits = parse_alpha_list(flags.alpha, edits.set.size());
  return edits;
}

}  // namespace stylescope::cli
