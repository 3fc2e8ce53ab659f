// `stylescope analyze --resolution-usage`: how much each resolution contributes to a skip generator's
// images (StyleGAN2 paper, Fig. 8), as a JSON table and a bar chart, plus the skip sum up to each
// resolution for the first sample.
#include <iostream>

#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "app/cli/common.h"
#include "core/io/errors.h"
#include "core/io/image.h"
#include "core/io/image_convert.h"
#include "core/latent/latents.h"
#include "core/metrics/resolution_usage.h"
#include "core/render/bar_chart.h"
#include "core/render/image_grid.h"
#include "core/util/atomic_file.h"

namespace stylescope::cli {

namespace {

struct AnalyzeOptions {
  CommonOptions common;
  bool resolution_usage = false;
  int samples = 1000;
  uint32_t seed = 0;
  double trunc = 1.0;
  std::optional<int> class_idx;
  int batch = 16;
};

void run_analyze(const AnalyzeOptions& o) {
  if (!o.resolution_usage) throw InputError("analyze: choose an analysis (--resolution-usage)");
  const torch::Device device = setup_device(o.common);
  LoadedModel model = load_model(resolve_model_path(o.common.model), device);
  const GeneratorConfig& cfg = model.config;
  if (cfg.architecture != Architecture::Skip)
    throw UnsupportedError(model.path,
                           std::string("resolution usage needs a 'skip' generator, this one is '") +
                               architecture_name(cfg.architecture) + "'");
  if (o.class_idx) class_label(cfg.c_dim, o.class_idx);  // checks the index
  Renderer renderer(model.G, device);
  // Seeds seed .. seed+N-1; a conditional model without --class cycles through its classes.
  std::vector<torch::Tensor> ws;
  for (int i = 0; i < o.samples; ++i) {
    check_cancelled();
    std::optional<int> c = o.class_idx;
    if (!c && cfg.c_dim > 0) c = i % cfg.c_dim;
    ws.push_back(
        renderer.ws_for(LatentRequest{o.seed + static_cast<uint32_t>(i), c, o.trunc, std::nullopt, false}));
  }
  const auto all_ws = torch::cat(ws);
  ForwardOptions fwd;
  ProgressBar bar("resolution usage", o.samples);
  const ResolutionContributions mean = mean_contributions(model.G, all_ws, fwd, o.batch, [&](int64_t done) {
    check_cancelled();
    bar.update(done);
  });
  bar.finish();
  const ResolutionContributions first = contributions_of_ws(model.G, all_ws.narrow(0, 0, 1), fwd);

  const std::string out = o.common.out.empty() ? "out" : o.common.out;
  ensure_directory(out);
  nlohmann::json j = {{"model", model.path},
                      {"samples", o.samples},
                      {"first_seed", o.seed},
                      {"psi", o.trunc},
                      {"class", o.class_idx     ? nlohmann::json(*o.class_idx)
                                : cfg.c_dim > 0 ? nlohmann::json("cycled")
                                                : nlohmann::json()},
                      {"resolutions", mean.resolutions},
                      {"share", mean.share},
                      {"first_sample_share", first.share}};
  const std::string text = j.dump(2) + "\n";
  write_file_atomic(out + "/resolution_usage.json", text.data(), text.size());
  std::vector<std::string> labels;
  for (int r : mean.resolutions) labels.push_back(std::to_string(r));
  const BarChart chart = draw_bar_chart(mean.share, labels);
  write_png(out + "/resolution_usage.png", chart.rgb.data(), chart.width, chart.height, 3);
  // The first sample's image built up resolution by resolution, left to right (the last is the image).
  std::vector<std::vector<uint8_t>> cells;
  for (int64_t i = 0; i < first.partial_images.size(0); ++i) {
    const auto chw = first.partial_images[i].contiguous();
    cells.push_back(
        chw_to_hwc_uint8(chw.data_ptr<float>(), cfg.img_channels, cfg.img_resolution, cfg.img_resolution));
  }
  std::vector<const uint8_t*> pointers;
  for (const auto& c : cells) pointers.push_back(c.data());
  const auto strip =
      tile_images(pointers, static_cast<int>(cells.size()), 1, cfg.img_resolution, cfg.img_channels);
  write_png(out + "/skip_sums.png", strip.data(), static_cast<int>(cells.size()) * cfg.img_resolution,
            cfg.img_resolution, cfg.img_channels);
  for (size_t i = 0; i < mean.resolutions.size(); ++i)
    std::cout << mean.resolutions[i] << "x" << mean.resolutions[i] << "\t" << mean.share[i] << "\n";
}

}  // namespace

void add_analyze_command(CLI::App& app) {
  auto opts = std::make_shared<AnalyzeOptions>();
  CLI::App* cmd =
      app.add_subcommand("analyze", "Resolution usage of a skip generator (the StyleGAN2 paper's Fig. 8)");
  add_model_options(cmd, opts->common);
  cmd->add_flag("--resolution-usage", opts->resolution_usage,
                "Each resolution's share of the image: ToRGB outputs' standard deviations");
  cmd->add_option("--samples", opts->samples, "Latents to average over (seeds --seed, --seed+1, ...)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--seed", opts->seed, "First seed (default 0)");
  cmd->add_option("--trunc", opts->trunc, "Truncation psi (default 1)");
  cmd->add_option("--class", opts->class_idx, "Class for conditional models (default: every class in turn)");
  cmd->add_option("--batch", opts->batch, "Latents per synthesis batch")->check(CLI::PositiveNumber);
  cmd->add_option("--out", opts->common.out, "Output folder (default out)");
  cmd->callback([opts]() { run_analyze(*opts); });
}

}  // namespace stylescope::cli
