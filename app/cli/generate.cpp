// `stylescope generate`: images for seeds or saved ws, as the official generate.py writes them.
#include <cstdio>
#include <filesystem>

#include "app/cli/commands.h"
#include "app/cli/common.h"
#include "app/cli/direction_options.h"
#include "core/io/errors.h"
#include "core/latent/latents.h"
#include "core/util/atomic_file.h"
#include "core/util/int_list.h"

namespace stylescope::cli {

namespace {

struct GenerateOptions {
  CommonOptions common;
  LatentOptions latent;
  DirectionFlags directions;
  bool save_npy = false;
  int batch = 1;
};

void run_generate(const GenerateOptions& o) {
  if (o.latent.seeds.empty() == o.latent.w_file.empty())
    throw InputError("generate: give exactly one of --seeds or --w");
  if (o.latent.mix_seed.has_value() == o.latent.styles.empty())
    throw InputError("--mix-seed and --styles go together");
  const torch::Device device = setup_device(o.common);
  LoadedModel model = load_model(resolve_model_path(o.common.model), device);
  const GeneratorConfig& cfg = model.config;
  Renderer renderer(model.G, device);
  const ForwardOptions fwd = forward_options(o.latent, renderer.device());

  std::vector<std::string> stems;
  std::vector<torch::Tensor> all_ws;
  LatentRequest base;
  base.class_idx = o.latent.class_idx;
  base.psi = o.latent.trunc;
  base.cutoff = o.latent.trunc_cutoff;
  if (!o.latent.seeds.empty()) {
    for (uint32_t seed : parse_seed_list(o.latent.seeds, "--seeds")) {
      LatentRequest r = base;
      r.seed = seed;
      all_ws.push_back(renderer.ws_for(r));
      char stem[32];
      std::snprintf(stem, sizeof stem, "seed%04u", seed);
      stems.push_back(stem);
    }
  } else {
    // Keep the class check even though ws from a file bypass the mapping network.
    class_label(cfg.c_dim, o.latent.class_idx);
    auto ws = load_ws_file(o.latent.w_file, cfg.num_ws(), cfg.w_dim).to(renderer.device());
    for (int64_t k = 0; k < ws.size(0); ++k) {
      all_ws.push_back(ws.narrow(0, k, 1));
      char stem[32];
      std::snprintf(stem, sizeof stem, "proj%02lld", static_cast<long long>(k));
      stems.push_back(stem);
    }
  }
  if (o.latent.mix_seed) {
    const auto layers = parse_layers(o.latent.styles, cfg.num_ws());
    LatentRequest r = base;
    r.seed = *o.latent.mix_seed;
    const auto mix_ws = renderer.ws_for(r);
    for (auto& ws : all_ws) ws = mix_styles(ws, mix_ws, layers);
  }
  // Edits come last: mapping -> truncation -> mixing -> edits (core/latent/directions.h).
  if (const auto edits = load_cli_edits(o.directions, model))
    for (auto& ws : all_ws) ws = edits->apply(ws);

  const std::string out = o.common.out.empty() ? "out" : o.common.out;
  ensure_directory(out);
  ProgressBar bar("generate", static_cast<int64_t>(all_ws.size()));
  const int64_t batch = std::max(o.batch, 1);
  for (size_t i = 0; i < all_ws.size(); i += batch) {
    check_cancelled();
    const size_t n = std::min(all_ws.size() - i, static_cast<size_t>(batch));
    auto ws = torch::cat(std::vector<torch::Tensor>(all_ws.begin() + i, all_ws.begin() + i + n), 0);
    auto images = renderer.synthesize(ws, fwd, batch);
    for (size_t j = 0; j < n; ++j) write_outputs(out, stems[i + j], images[j], ws[j], o.save_npy);
    bar.update(static_cast<int64_t>(i + n));
  }
  bar.finish();
}

}  // namespace

void add_generate_command(CLI::App& app) {
  auto opts = std::make_shared<GenerateOptions>();
  CLI::App* cmd = app.add_subcommand("generate", "Generate images from seeds or saved ws (as generate.py)");
  add_model_options(cmd, opts->common);
  add_latent_options(cmd, opts->latent, true);
  add_direction_options(cmd, opts->directions);
  cmd->add_option("--out", opts->common.out, "Output folder (default out)");
  cmd->add_flag("--save-npy", opts->save_npy, "Also write raw float32 images and ws as .npy");
  cmd->add_option("--batch", opts->batch, "Images per synthesis batch")->check(CLI::PositiveNumber);
  cmd->callback([opts]() { run_generate(*opts); });
}

}  // namespace stylescope::cli
