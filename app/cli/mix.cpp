// `stylescope mix`: the style-mixing grid of the official style_mixing.py.
#include <algorithm>
#include <map>
#include <optional>

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

struct MixOptions {
  CommonOptions common;
  LatentOptions latent;
  std::string rows, cols;
  std::optional<int> col_class;  // the columns' class when it differs from the rows' (--class)
  DirectionFlags directions;
  bool save_npy = false;
};

void run_mix(MixOptions o) {
  if (o.rows.empty() || o.cols.empty()) throw InputError("mix: --rows and --cols are required");
  const auto rows = parse_seed_list(o.rows, "--rows");
  const auto cols = parse_seed_list(o.cols, "--cols");
  const torch::Device device = setup_device(o.common);
  LoadedModel model = load_model(resolve_model_path(o.common.model), device);
  const GeneratorConfig& cfg = model.config;
  const auto styles = parse_layers(o.latent.styles.empty() ? "0-6" : o.latent.styles, cfg.num_ws());
  Renderer renderer(model.G, device);
  const ForwardOptions fwd = forward_options(o.latent, device);
  const auto edits = load_cli_edits(o.directions, model);

  // As style_mixing.py: mapping with psi 1, then w_avg + (w - w_avg) * psi on every layer. A seed is
  // mapped with its role's class: the rows' (--class) or the columns' (--col-class).
  const bool to_class = class_centered(o.latent, model.config);
  const std::optional<int> col_class = o.col_class ? o.col_class : o.latent.class_idx;
  if (o.col_class && cfg.c_dim == 0) throw InputError("mix: --col-class needs a conditional model");
  if (col_class != o.latent.class_idx)
    for (uint32_t s : rows)
      if (std::find(cols.begin(), cols.end(), s) != cols.end())
        throw InputError(
            "mix: seed " + std::to_string(s) +
            " is both a row and a column of another class (its SEED-SEED.png would be two images)");
  std::map<uint32_t, torch::Tensor> seed_ws;
  for (const auto& [list, class_idx] : {std::pair{rows, o.latent.class_idx}, std::pair{cols, col_class}})
    for (uint32_t s : list) {
      LatentRequest r;
      r.seed = s;
      r.class_idx = class_idx;
      r.psi = o.latent.trunc;
      r.plain_truncation = true;
      r.class_center = to_class;
      seed_ws[s] = renderer.ws_for(r);
    }

  std::vector<std::pair<uint32_t, uint32_t>> keys;
  for (auto& [s, ws] : seed_ws) keys.emplace_back(s, s);
  for (uint32_t r : rows)
    for (uint32_t c : cols)
      if (std::find(keys.begin(), keys.end(), std::make_pair(r, c)) == keys.end()) keys.emplace_back(r, c);

  const std::string out = o.common.out.empty() ? "out" : o.common.out;
  ensure_directory(out);
  const int res = cfg.img_resolution, ch = cfg.img_channels;
  std::map<std::pair<uint32_t, uint32_t>, std::vector<uint8_t>> pixels;
  ProgressBar bar("mix", static_cast<int64_t>(keys.size()));
  for (size_t i = 0; i < keys.size(); ++i) {
    check_cancelled();
    auto [r, c] = keys[i];
    auto ws = r == c ? seed_ws[r] : mix_styles(seed_ws[r], seed_ws[c], styles);
    if (edits) ws = edits->apply(ws);  // after mixing, as everywhere (core/latent/directions.h)
    auto image = renderer.synthesize(ws, fwd)[0];
    const std::string stem = std::to_string(r) + "-" + std::to_string(c);
    write_outputs(out, stem, image, ws[0], o.save_npy);
    auto chw = image.contiguous();
    pixels[keys[i]] = chw_to_hwc_uint8(chw.data_ptr<float>(), ch, res, res);
    bar.update(static_cast<int64_t>(i + 1));
  }
  bar.finish();

  // grid.png: row 0 shows the column seeds, column 0 the row seeds, cell (i, j) row i mixed with column j.
  std::vector<const uint8_t*> cells;
  for (size_t ri = 0; ri <= rows.size(); ++ri)
    for (size_t ci = 0; ci <= cols.size(); ++ci) {
      if (ri == 0 && ci == 0)
        cells.push_back(nullptr);
      else if (ri == 0)
        cells.push_back(pixels[{cols[ci - 1], cols[ci - 1]}].data());
      else if (ci == 0)
        cells.push_back(pixels[{rows[ri - 1], rows[ri - 1]}].data());
      else
        cells.push_back(pixels[{rows[ri - 1], cols[ci - 1]}].data());
    }
  const int gw = static_cast<int>(cols.size() + 1), gh = static_cast<int>(rows.size() + 1);
  const auto grid = tile_images(cells, gw, gh, res, ch);
  write_png(out + "/grid.png", grid.data(), gw * res, gh * res, ch);
}

}  // namespace

void add_mix_command(CLI::App& app) {
  auto opts = std::make_shared<MixOptions>();
  CLI::App* cmd = app.add_subcommand("mix", "Style-mixing grid (as style_mixing.py)");
  add_model_options(cmd, opts->common);
  cmd->add_option("--rows", opts->rows, "Row seeds, e.g. 85,100,75")->required();
  cmd->add_option("--cols", opts->cols, "Column seeds, e.g. 55,821")->required();
  cmd->add_option("--styles", opts->latent.styles, "Layers taken from the column seed (default 0-6)");
  cmd->add_option("--trunc", opts->latent.trunc, "Truncation psi (default 1)");
  add_trunc_center_option(cmd, opts->latent);
  cmd->add_option("--noise-mode", opts->latent.noise_mode, "const, random or none (default const)")
      ->check(CLI::IsMember({"const", "random", "none"}));
  cmd->add_option("--class", opts->latent.class_idx, "Class index for conditional models");
  cmd->add_option("--col-class", opts->col_class,
                  "The column seeds' class, when not --class's (mixing across classes)");
  cmd->add_flag("--fp16", opts->latent.fp16, "fp16 where the official code uses it (CUDA only)");
  add_direction_options(cmd, opts->directions);
  cmd->add_option("--out", opts->common.out, "Output folder (default out)");
  cmd->add_flag("--save-npy", opts->save_npy, "Also write raw float32 images and ws as .npy");
  cmd->callback([opts]() { run_mix(*opts); });
}

}  // namespace stylescope::cli
