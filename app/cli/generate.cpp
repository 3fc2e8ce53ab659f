// `stylescope generate`: images for seeds or saved ws, as the official generate.py writes them.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "app/cli/commands.h"
#include "app/cli/common.h"
#include "app/cli/direction_options.h"
#include "core/io/errors.h"
#include "core/io/image.h"
#include "core/io/image_convert.h"
#include "core/latent/latents.h"
#include "core/render/image_grid.h"
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
  std::string classes;      // --classes: every seed for each of these classes
  std::string trunc_sweep;  // --trunc-sweep: every seed at each of these psi
  bool grid = false;
};

// One row of the output: a class and a psi every seed is made with, and the folder its images go to
// (empty for the plain one-row case, which keeps generate.py's flat layout).
struct OutputRow {
  std::optional<int> class_idx;
  double psi = 1.0;
  std::string folder;
};

std::vector<double> parse_psi_list(const std::string& text) {
  std::vector<double> values;
  std::stringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    size_t used = 0;
    double v = 0;
    try {
      v = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || item.find_first_not_of(" ", used) != std::string::npos || !std::isfinite(v))
      throw InputError("--trunc-sweep: '" + item + "' is not a number");
    values.push_back(v);
  }
  if (values.empty()) throw InputError("--trunc-sweep: no values in '" + text + "'");
  return values;
}

std::string psi_folder(double psi) {
  std::ostringstream name;
  name << "psi" << psi;
  return name.str();
}

std::vector<OutputRow> output_rows(const GenerateOptions& o, int c_dim) {
  std::vector<std::optional<int>> classes = {o.latent.class_idx};
  if (!o.classes.empty()) {
    if (o.latent.class_idx) throw InputError("give --class or --classes, not both");
    if (c_dim == 0) throw InputError("--classes: the model is not conditional");
    classes.clear();
    for (int64_t c : parse_int_list(o.classes, "--classes", c_dim - 1)) {
      if (c >= c_dim)
        throw InputError("--classes: class " + std::to_string(c) + " is outside 0.." +
                         std::to_string(c_dim - 1));
      classes.push_back(static_cast<int>(c));
    }
  }
  std::vector<double> psis = {o.latent.trunc};
  if (!o.trunc_sweep.empty()) psis = parse_psi_list(o.trunc_sweep);
  std::vector<OutputRow> rows;
  for (const auto& c : classes)
    for (double psi : psis) {
      OutputRow row{c, psi, ""};
      char class_name[16];
      std::snprintf(class_name, sizeof class_name, "class%02d", c.value_or(0));
      if (!o.classes.empty()) row.folder = class_name;
      if (!o.trunc_sweep.empty()) row.folder += (row.folder.empty() ? "" : "/") + psi_folder(psi);
      rows.push_back(row);
    }
  return rows;
}

// grid.png: one row per output row, one column per seed (or latent of --w).
void write_grid(const std::string& out, const std::vector<std::vector<uint8_t>>& pixels, int cols, int res,
                int channels) {
  std::vector<const uint8_t*> cells;
  for (const auto& p : pixels) cells.push_back(p.data());
  const int rows = static_cast<int>(pixels.size()) / cols;
  const auto grid = tile_images(cells, cols, rows, res, channels);
  write_png(out + "/grid.png", grid.data(), cols * res, rows * res, channels);
}

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
  const std::vector<OutputRow> rows = output_rows(o, cfg.c_dim);
  const bool to_class = class_centered(o.latent, cfg);
  int cols = 0;
  if (!o.latent.seeds.empty()) {
    const auto seeds = parse_seed_list(o.latent.seeds, "--seeds");
    cols = static_cast<int>(seeds.size());
    for (const OutputRow& row : rows)
      for (uint32_t seed : seeds) {
        LatentRequest r{seed, row.class_idx, row.psi, o.latent.trunc_cutoff, false, to_class};
        all_ws.push_back(renderer.ws_for(r));
        char stem[32];
        std::snprintf(stem, sizeof stem, "seed%04u", seed);
        stems.push_back(row.folder.empty() ? stem : row.folder + "/" + stem);
      }
  } else {
    if (rows.size() > 1)
      throw InputError("--classes and --trunc-sweep need --seeds (ws from --w are used as given)");
    // Keep the class check even though ws from a file bypass the mapping network.
    class_label(cfg.c_dim, o.latent.class_idx);
    auto ws = load_ws_file(o.latent.w_file, cfg.num_ws(), cfg.w_dim).to(renderer.device());
    cols = static_cast<int>(ws.size(0));
    for (int64_t k = 0; k < ws.size(0); ++k) {
      all_ws.push_back(ws.narrow(0, k, 1));
      char stem[32];
      std::snprintf(stem, sizeof stem, "proj%02lld", static_cast<long long>(k));
      stems.push_back(stem);
    }
  }
  if (o.latent.mix_seed) {
    // The mixing seed is mapped with each row's class and truncated with its psi, as the row's seeds.
    const auto layers = parse_layers(o.latent.styles, cfg.num_ws());
    for (size_t i = 0; i < all_ws.size(); ++i) {
      const OutputRow& row = rows[i / cols];
      const auto mix_ws = renderer.ws_for(
          LatentRequest{*o.latent.mix_seed, row.class_idx, row.psi, o.latent.trunc_cutoff, false, to_class});
      all_ws[i] = mix_styles(all_ws[i], mix_ws, layers);
    }
  }
  // Edits come last: mapping -> truncation -> mixing -> edits (core/latent/directions.h).
  if (const auto edits = load_cli_edits(o.directions, model))
    for (auto& ws : all_ws) ws = edits->apply(ws);

  const std::string out = o.common.out.empty() ? "out" : o.common.out;
  ensure_directory(out);
  for (const OutputRow& row : rows)
    if (!row.folder.empty()) ensure_directory(out + "/" + row.folder);
  std::vector<std::vector<uint8_t>> grid_pixels;
  ProgressBar bar("generate", static_cast<int64_t>(all_ws.size()));
  const int64_t batch = std::max(o.batch, 1);
  for (size_t i = 0; i < all_ws.size(); i += batch) {
    check_cancelled();
    const size_t n = std::min(all_ws.size() - i, static_cast<size_t>(batch));
    auto ws = torch::cat(std::vector<torch::Tensor>(all_ws.begin() + i, all_ws.begin() + i + n), 0);
    auto images = renderer.synthesize(ws, fwd, batch);
    for (size_t j = 0; j < n; ++j) {
      write_outputs(out, stems[i + j], images[j], ws[j], o.save_npy);
      if (o.grid) {
        const auto chw = images[j].to(torch::kFloat32).contiguous();
        grid_pixels.push_back(chw_to_hwc_uint8(chw.data_ptr<float>(), cfg.img_channels, cfg.img_resolution,
                                               cfg.img_resolution));
      }
    }
    bar.update(static_cast<int64_t>(i + n));
  }
  bar.finish();
  if (o.grid) write_grid(out, grid_pixels, cols, cfg.img_resolution, cfg.img_channels);
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
  cmd->add_option("--classes", opts->classes, "Every seed for each class, e.g. 0-9 (into classNN/ folders)");
  cmd->add_option("--trunc-sweep", opts->trunc_sweep,
                  "Every seed at each psi, e.g. 1,0.7,0.5 (into psiX/ folders)");
  cmd->add_flag("--grid", opts->grid, "Also write grid.png: a row per class and psi, a column per seed");
  cmd->callback([opts]() { run_generate(*opts); });
}

}  // namespace stylescope::cli
