// `stylescope bench`: median ms per image, img/s and peak memory for a model or an official configuration.
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "app/cli/commands.h"
#include "app/cli/common.h"
#include "core/io/errors.h"
#include "core/latent/latents.h"
#include "core/model/profile.h"

#ifdef STYLESCOPE_HAVE_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

namespace stylescope::cli {

namespace {

struct BenchOptions {
  CommonOptions common;
  LatentOptions latent;
  std::string config;
  int batch = 1;
  int iters = 10;
  int warmup = 2;
  bool json = false;
  bool reference_upsampling = false;
  bool fused = false;
  bool shared_weight = false;
  bool profile = false;
};

// Peak resident set size of this process (VmHWM), MiB.
double peak_rss_mib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  return -1.0;
}

void run_bench(const BenchOptions& o) {
  if (!o.config.empty() && !o.common.model.empty())
    throw InputError("bench: give --model or --config, not both");
  // LibTorch's TF32 defaults, as scripts/bench_official.py times the official generator (like for like).
  const torch::Device device = setup_device(o.common, /*exact_fp32=*/false);
  GeneratorConfig cfg;
  Generator g{nullptr};
  std::string source;
  if (!o.config.empty()) {
    cfg = GeneratorConfig::named(o.config);
    g = random_generator(cfg);
    source = "config:" + o.config;
  } else {
    LoadedModel m = load_model(resolve_model_path(o.common.model), device);
    cfg = m.config;
    g = m.G;
    source = m.path;
  }
  g->to(device);
  ForwardOptions fwd = forward_options(o.latent, device);
  fwd.reference_upsampling = o.reference_upsampling;
  if (o.fused && o.shared_weight) throw InputError("bench: --fused and --shared-weight exclude each other");
  if (o.fused || o.shared_weight) fwd.fused_modconv = o.fused;
  torch::NoGradGuard no_grad;

  std::vector<torch::Tensor> zs;
  for (int i = 0; i < o.batch; ++i) zs.push_back(seed_z(static_cast<uint32_t>(i), cfg.z_dim));
  auto z = torch::cat(zs, 0).to(device);
  torch::Tensor c;
  if (cfg.c_dim > 0)
    c = torch::zeros({o.batch, cfg.c_dim}, device).index_fill_(1, torch::tensor({0}, device), 1.0);

  std::vector<double> ms;
  ProgressBar bar("bench", o.warmup + o.iters);
  for (int i = 0; i < o.warmup + o.iters; ++i) {
    check_cancelled();
    if (device.is_cuda()) torch::cuda::synchronize();
    const double t0 = now_seconds();
    auto img = g->forward(z, c, o.latent.trunc, o.latent.trunc_cutoff, fwd);
    if (device.is_cuda()) torch::cuda::synchronize();
    const double t1 = now_seconds();
    if (i >= o.warmup) ms.push_back((t1 - t0) * 1000.0 / o.batch);
    bar.update(i + 1);
  }
  bar.finish();
  // Profiled passes run after the timed ones so that the timers' own cost stays out of the medians.
  std::map<std::string, double> kinds;
  double profiled_ms = 0.0;
  if (o.profile) {
    profile::take();
    profile::enable(true);
    for (int i = 0; i < o.iters; ++i) {
      check_cancelled();
      const double t0 = now_seconds();
      g->forward(z, c, o.latent.trunc, o.latent.trunc_cutoff, fwd);
      profiled_ms += (now_seconds() - t0) * 1000.0;
    }
    profile::enable(false);
    kinds = profile::take();
    double attributed = 0.0;
    for (auto& [kind, total] : kinds) attributed += total;
    kinds["other"] = std::max(profiled_ms - attributed, 0.0);
    const double per_img = 1.0 / (static_cast<double>(o.iters) * o.batch);
    for (auto& [kind, total] : kinds) total *= per_img;
    profiled_ms *= per_img;
  }
  std::vector<double> sorted = ms;
  std::sort(sorted.begin(), sorted.end());
  const size_t n = sorted.size();
  const double median = n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);

  double peak_mb = peak_rss_mib();
  nlohmann::json j;
#ifdef STYLESCOPE_HAVE_CUDA
  if (device.is_cuda()) {
    const auto stats =
        c10::cuda::CUDACachingAllocator::getDeviceStats(device.index() < 0 ? 0 : device.index());
    // Index 0 is StatType::AGGREGATE; the enum moved namespaces between LibTorch versions.
    j["peak_gpu_mem_mb"] = static_cast<double>(stats.allocated_bytes[0].peak) / (1 << 20);
  }
#endif
  j["model"] = source;
  j["resolution"] = cfg.img_resolution;
  j["device"] = device.is_cuda() ? "cuda" : "cpu";
  j["threads"] = torch::get_num_threads();
  const char* policy = std::getenv("OMP_WAIT_POLICY");
  j["omp_wait_policy"] = policy ? policy : "";
  j["batch"] = o.batch;
  j["iters"] = o.iters;
  j["fp16"] = fwd.fp16;
  j["ms_per_img_median"] = median;
  j["ms_per_img_min"] = sorted.front();
  j["ms_per_img_max"] = sorted.back();
  j["img_per_s"] = 1000.0 / median;
  j["peak_mem_mb"] = peak_mb;
  j["upsampling"] = o.reference_upsampling ? "transposed (official)" : "sub-pixel";
  j["modconv"] = o.fused ? "fused" : o.shared_weight ? "shared-weight" : "auto";
  if (o.profile) {
    j["profile_ms_per_img"] = kinds;
    j["profile_total_ms_per_img"] = profiled_ms;
  }
  if (o.json) {
    std::cout << j.dump() << std::endl;
  } else {
    std::printf("%s  %dx%d  %s  threads %d  batch %d\n", source.c_str(), cfg.img_resolution,
                cfg.img_resolution, device.is_cuda() ? "cuda" : "cpu", torch::get_num_threads(), o.batch);
    std::printf("median %.1f ms/img (min %.1f, max %.1f over %d iters), %.2f img/s, peak memory %.0f MiB\n",
                median, sorted.front(), sorted.back(), o.iters, 1000.0 / median, peak_mb);
    if (o.profile) {
      std::vector<std::pair<double, std::string>> rows;
      for (const auto& [kind, v] : kinds) rows.emplace_back(v, kind);
      std::sort(rows.rbegin(), rows.rend());
      std::printf("profile (mean of %d passes, %.1f ms/img; exclusive time per kind of work):\n", o.iters,
                  profiled_ms);
      for (const auto& [v, kind] : rows)
        std::printf("  %-14s %8.1f ms  %5.1f%%\n", kind.c_str(), v, 100.0 * v / profiled_ms);
    }
  }
}

}  // namespace

void add_bench_command(CLI::App& app) {
  auto opts = std::make_shared<BenchOptions>();
  CLI::App* cmd = app.add_subcommand("bench", "Measure generator speed and memory");
  add_model_options(cmd, opts->common);
  cmd->add_option("--config", opts->config, "Random-weight official configuration instead of a model")
      ->check(CLI::IsMember(GeneratorConfig::named_configs()));
  cmd->add_option("--batch", opts->batch, "Images per forward pass (default 1)")->check(CLI::PositiveNumber);
  cmd->add_option("--iters", opts->iters, "Timed iterations (default 10)")->check(CLI::PositiveNumber);
  cmd->add_option("--warmup", opts->warmup, "Untimed iterations first (default 2)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--trunc", opts->latent.trunc, "Truncation psi");
  cmd->add_option("--noise-mode", opts->latent.noise_mode, "const, random or none")
      ->check(CLI::IsMember({"const", "random", "none"}));
  cmd->add_flag("--fp16", opts->latent.fp16, "fp16 where the official code uses it (CUDA only)");
  cmd->add_flag("--reference-upsampling", opts->reference_upsampling,
                "Up-sample with the official transposed convolution (for comparison)");
  cmd->add_flag("--fused", opts->fused, "Force the fused (grouped, per-sample weight) modulated convolution");
  cmd->add_flag("--shared-weight", opts->shared_weight,
                "Force the shared-weight modulated convolution (default: the cheaper per layer)");
  cmd->add_flag("--profile", opts->profile,
                "After timing, break the time of further passes down by kind of work (CPU: wall clock)");
  cmd->add_flag("--json", opts->json, "Print one flat JSON object");
  cmd->callback([opts]() { run_bench(*opts); });
}

}  // namespace stylescope::cli
