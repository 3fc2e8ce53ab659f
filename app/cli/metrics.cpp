// `stylescope metrics --metric ppl_*`: perceptual path length as the official calc_metrics.py computes it,
// printed as one JSON line in the layout of the official metric-<name>.jsonl.
#include <ctime>
#include <iostream>

#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "app/cli/common.h"
#include "core/io/errors.h"
#include "core/latent/numpy_rng.h"
#include "core/metrics/image_distance.h"
#include "core/metrics/ppl.h"
#include "core/train/dataset.h"
#include "core/util/atomic_file.h"
#include "core/util/format_time.h"
#include "core/util/user_paths.h"

namespace stylescope::cli {

namespace {

struct MetricsOptions {
  CommonOptions common;
  std::string metric;
  std::string vgg16;
  std::string data;
  std::optional<int64_t> samples;
  int64_t batch = 2;
  uint64_t seed = 0;
};

void run_metrics(const MetricsOptions& o) {
  PplSettings settings = ppl_settings(o.metric);
  const std::string vgg16 = resolve_vgg16_path(o.vgg16);
  if (vgg16.empty())
    throw InputError("metrics: " + o.metric +
                     " needs NVIDIA's VGG16 LPIPS network: pass --vgg16 PATH to vgg16.pt "
                     "(or put it at " +
                     user_config_dir() + "/vgg16.pt); StyleScope cannot ship or download it");
  const torch::Device device = setup_device(o.common);
  LoadedModel model = load_model(resolve_model_path(o.common.model), device);
  const GeneratorConfig& cfg = model.config;
  auto lpips = load_vgg16_lpips(vgg16, device);
  if (o.samples) settings.samples = *o.samples;
  settings.batch = o.batch;

  // Conditional models: labels of random dataset images (as the official code draws them), else classes
  // drawn uniformly.
  NumpyRandomState label_rng(static_cast<uint32_t>(o.seed));
  std::shared_ptr<train::ImageDataset> dataset;
  if (!o.data.empty() && cfg.c_dim > 0) {
    dataset = train::ImageDataset::open(o.data);
    if (dataset->info().label_dim != cfg.c_dim)
      throw InputError(o.data, "labels have " + std::to_string(dataset->info().label_dim) +
                                   " dimensions, the model " + std::to_string(cfg.c_dim));
  }
  auto label_for = [&](int64_t) {
    if (dataset) {
      const auto index =
          static_cast<int64_t>(label_rng.random_interval(static_cast<uint64_t>(dataset->size() - 1)));
      return dataset->label(index);
    }
    auto c = torch::zeros({cfg.c_dim});
    c[static_cast<int64_t>(label_rng.random_interval(static_cast<uint64_t>(cfg.c_dim - 1)))] = 1;
    return c;
  };

  ProgressBar bar(o.metric, settings.samples);
  const PplResult result = compute_ppl(model.G, *lpips, settings, o.seed, label_for, [&](int64_t done) {
    check_cancelled();
    bar.update(done);
  });
  bar.finish();
  nlohmann::json line = {{"results", {{o.metric, result.value}}},
                         {"metric", o.metric},
                         {"total_time", result.seconds},
                         {"total_time_str", format_time(result.seconds)},
                         {"num_gpus", device.is_cuda() ? 1 : 0},
                         {"snapshot_pkl", model.path},
                         {"timestamp", static_cast<double>(std::time(nullptr))},
                         {"num_samples", settings.samples},
                         {"vgg16", vgg16},
                         {"seed", o.seed}};
  std::cout << line.dump() << std::endl;
  if (!o.common.out.empty()) {
    ensure_parent_directory(o.common.out);
    const std::string text = line.dump() + "\n";
    write_file_atomic(o.common.out, text.data(), text.size());
  }
}

}  // namespace

void add_metrics_command(CLI::App& app) {
  auto opts = std::make_shared<MetricsOptions>();
  CLI::App* cmd = app.add_subcommand("metrics", "Perceptual path length (the official ppl_* metrics)");
  add_model_options(cmd, opts->common);
  cmd->add_option("--metric", opts->metric, "ppl_zfull, ppl_wfull, ppl_zend, ppl_wend or ppl2_wend")
      ->required();
  cmd->add_option("--vgg16", opts->vgg16,
                  "NVIDIA's vgg16.pt (default: vgg16.pt in the user's config folder)");
  cmd->add_option("--samples", opts->samples, "Samples (official: 50000)")->check(CLI::PositiveNumber);
  cmd->add_option("--batch", opts->batch,
                  "Samples per batch (official: 2; it sets the order of the random draws)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--seed", opts->seed, "Seed of the latents, t and noise (default 0)");
  cmd->add_option("--data", opts->data, "Labelled dataset whose labels conditional models are sampled with");
  cmd->add_option("--out", opts->common.out, "Also write the JSON line to this file");
  cmd->callback([opts]() { run_metrics(*opts); });
}

}  // namespace stylescope::cli
