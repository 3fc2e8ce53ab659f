// `stylescope edit`: sweeps of semantic directions, the figure of the SeFa and GANSpace papers: for every
// direction index one PNG per seed and α, and grid_dNN.png with a row per seed and a column per α.
#include <cmath>
#include <cstdio>

#include "app/cli/commands.h"
#include "app/cli/common.h"
#include "app/cli/direction_options.h"
#include "core/io/errors.h"
#include "core/io/image.h"
#include "core/io/image_convert.h"
#include "core/latent/latents.h"
#include "core/util/atomic_file.h"
#include "core/util/int_list.h"

namespace stylescope::cli {

namespace {

struct EditOptions {
  CommonOptions common;
  LatentOptions latent;
  std::string directions;
  std::vector<int> indices;
  std::string range = "-3:3";
  int steps = 7;
  std::string layers;
  bool save_npy = false;
};

std::vector<double> parse_range(const std::string& text, int steps) {
  const size_t colon = text.find(':');
  double lo = 0, hi = 0;
  try {
    size_t used_lo = 0, used_hi = 0;
    if (colon == std::string::npos) throw std::invalid_argument("no colon");
    lo = std::stod(text.substr(0, colon), &used_lo);
    hi = std::stod(text.substr(colon + 1), &used_hi);
    if (used_lo != colon || used_hi != text.size() - colon - 1 || !std::isfinite(lo) || !std::isfinite(hi))
      throw std::invalid_argument("trailing text");
  } catch (const std::logic_error&) {
    throw InputError("--range: '" + text + "' is not LOW:HIGH (e.g. -3:3)");
  }
  std::vector<double> alphas;
  for (int i = 0; i < steps; ++i) alphas.push_back(steps == 1 ? lo : lo + (hi - lo) * i / (steps - 1));
  return alphas;
}

// Unedited ws, one [1, num_ws, w_dim] per row, in the documented order mapping -> truncation -> mixing.
std::vector<std::pair<std::string, torch::Tensor>> base_ws(const EditOptions& o, Renderer& renderer,
                                                           const GeneratorConfig& cfg) {
  std::vector<std::pair<std::string, torch::Tensor>> rows;
  LatentRequest base;
  base.class_idx = o.latent.class_idx;
  base.psi = o.latent.trunc;
  base.cutoff = o.latent.trunc_cutoff;
  base.class_center = class_centered(o.latent, cfg);
  char stem[32];
  if (!o.latent.seeds.empty()) {
    for (uint32_t seed : parse_seed_list(o.latent.seeds, "--seeds")) {
      LatentRequest r = base;
      r.seed = seed;
      std::snprintf(stem, sizeof stem, "seed%04u", seed);
      rows.emplace_back(stem, renderer.ws_for(r));
    }
  } else {
    class_label(cfg.c_dim, o.latent.class_idx);
    auto ws = load_ws_file(o.latent.w_file, cfg.num_ws(), cfg.w_dim).to(renderer.device());
    for (int64_t k = 0; k < ws.size(0); ++k) {
      std::snprintf(stem, sizeof stem, "proj%02lld", static_cast<long long>(k));
      rows.emplace_back(stem, ws.narrow(0, k, 1));
    }
  }
  if (o.latent.mix_seed) {
    LatentRequest r = base;
    r.seed = *o.latent.mix_seed;
    const auto mix_ws = renderer.ws_for(r);
    const auto layers = parse_layers(o.latent.styles, cfg.num_ws());
    for (auto& row : rows) row.second = mix_styles(row.second, mix_ws, layers);
  }
  return rows;
}

void run_edit(const EditOptions& o) {
  if (o.latent.seeds.empty() == o.latent.w_file.empty())
    throw InputError("edit: give exactly one of --seeds or --w");
  if (o.latent.mix_seed.has_value() == o.latent.styles.empty())
    throw InputError("--mix-seed and --styles go together");
  if (o.indices.empty()) throw InputError("edit: give at least one --index");
  const auto alphas = parse_range(o.range, o.steps);
  const torch::Device device = setup_device(o.common);
  LoadedModel model = load_model(resolve_model_path(o.common.model), device);
  const GeneratorConfig& cfg = model.config;
  const DirectionSet set = load_directions_for_model(o.directions, model);
  for (int index : o.indices)
    if (index < 0 || index >= set.size())
      throw InputError("--index " + std::to_string(index) + ": " + o.directions + " has directions 0.." +
                       std::to_string(set.size() - 1));
  std::optional<std::vector<int>> layers;
  if (!o.layers.empty()) layers = parse_layer_range(o.layers, cfg.num_ws());
  Renderer renderer(model.G, device);
  const ForwardOptions fwd = forward_options(o.latent, device);
  const auto rows = base_ws(o, renderer, cfg);

  const std::string out = o.common.out.empty() ? "out" : o.common.out;
  ensure_directory(out);
  const int res = cfg.img_resolution, ch = cfg.img_channels;
  const size_t cols = alphas.size(), cell = static_cast<size_t>(res) * res * ch;
  const int gw = static_cast<int>(cols) * res, gh = static_cast<int>(rows.size()) * res;
  ProgressBar bar("edit", static_cast<int64_t>(o.indices.size() * rows.size() * cols));
  int64_t done = 0;
  for (int index : o.indices) {
    std::vector<uint8_t> grid(cell * rows.size() * cols);
    for (size_t r = 0; r < rows.size(); ++r)
      for (size_t c = 0; c < cols; ++c) {
        check_cancelled();
        const auto ws = apply_edits(rows[r].second, set, {{index, alphas[c]}}, layers);
        const auto image = renderer.synthesize(ws, fwd)[0];
        char stem[64];
        std::snprintf(stem, sizeof stem, "%s_d%02d_%02zu", rows[r].first.c_str(), index, c);
        write_outputs(out, stem, image, ws[0], o.save_npy);
        const auto chw = image.contiguous();
        const auto pixels = chw_to_hwc_uint8(chw.data_ptr<float>(), ch, res, res);
        for (int y = 0; y < res; ++y)
          std::copy_n(pixels.data() + static_cast<size_t>(y) * res * ch, static_cast<size_t>(res) * ch,
                      grid.data() + ((r * res + y) * static_cast<size_t>(gw) + c * res) * ch);
        bar.update(++done);
      }
    char name[32];
    std::snprintf(name, sizeof name, "/grid_d%02d.png", index);
    write_png(out + name, grid.data(), gw, gh, ch);
  }
  bar.finish();
}

}  // namespace

void add_edit_command(CLI::App& app) {
  auto opts = std::make_shared<EditOptions>();
  CLI::App* cmd =
      app.add_subcommand("edit", "Sweep semantic directions: one image per seed and alpha, and a grid");
  add_model_options(cmd, opts->common);
  add_latent_options(cmd, opts->latent, true);
  cmd->add_option("--directions", opts->directions, "Direction set (.npy, with its .json sidecar if any)")
      ->required();
  cmd->add_option("--index", opts->indices, "Direction to sweep (repeat for several)")->required();
  cmd->add_option("--range", opts->range, "Alpha range LOW:HIGH in the set's unit (default -3:3)");
  cmd->add_option("--steps", opts->steps, "Alphas from LOW to HIGH inclusive (default 7)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--layers", opts->layers,
                  "Edit these ws indices instead of each direction's own range (all, 0-5)");
  cmd->add_option("--out", opts->common.out, "Output folder (default out)");
  cmd->add_flag("--save-npy", opts->save_npy, "Also write raw float32 images and the edited ws as .npy");
  cmd->callback([opts]() { run_edit(*opts); });
}

}  // namespace stylescope::cli
