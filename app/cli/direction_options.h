#pragma once
// Direction sets on the command line: `--directions dirs.npy --alpha 0:2.5,3:-1` (generate, mix; video can
// add the same two flags), and loading a set for a model with the model-hash check.
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/latent/directions.h"
#include "core/model/model_file.h"

namespace stylescope::cli {

struct DirectionFlags {
  std::string file;
  std::string alpha;
};
void add_direction_options(CLI::App* cmd, DirectionFlags& flags);

// Reads a set for `model` (InputError naming the file for a wrong shape, w_dim or layer); a set made for a
// model with another hash still loads, with a warning on stderr.
DirectionSet load_directions_for_model(const std::string& path, LoadedModel& model);

struct CliEdits {
  DirectionSet set;
  std::vector<DirectionEdit> edits;
  torch::Tensor apply(const torch::Tensor& ws) const { return apply_edits(ws, set, edits); }
};
// Nothing when --directions is not given; InputError when only one of the two flags is.
std::optional<CliEdits> load_cli_edits(const DirectionFlags& flags, LoadedModel& model);

}  // namespace stylescope::cli
