#include "app/cli/common.h"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "core/io/errors.h"
#include "core/io/image.h"
#include "core/io/image_convert.h"
#include "core/io/npy.h"
#include "core/io/tensor_ref.h"
#include "core/util/atomic_file.h"

namespace stylescope::cli {

std::atomic<bool> g_cancelled{false};

void install_cancel_handler() {
  std::signal(SIGINT, [](int) { g_cancelled = true; });
}

void check_cancelled() {
  if (g_cancelled) throw CancelledError();
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void add_model_options(CLI::App* cmd, CommonOptions& common) {
  cmd->add_option("--model", common.model, "Model file (.pkl or .safetensors); default: the embedded model");
  cmd->add_option("--device", common.device, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}));
  cmd->add_option("--threads", common.threads, "CPU threads (default: all cores)")
      ->check(CLI::NonNegativeNumber);
}

void add_trunc_center_option(CLI::App* cmd, LatentOptions& latent) {
  cmd->add_option("--trunc-center", latent.trunc_center,
                  "Truncate towards: global (the w_avg tracked in training, as the official code) or class "
                  "(the class's mean w; conditional models)")
      ->check(CLI::IsMember({"global", "class"}));
}

void add_latent_options(CLI::App* cmd, LatentOptions& latent, bool with_seeds) {
  if (with_seeds) {
    cmd->add_option("--seeds", latent.seeds, "Seeds, e.g. 0-3,7");
    cmd->add_option("--w", latent.w_file, "ws from .npy/.npz (used as given, without truncation)");
  }
  cmd->add_option("--trunc", latent.trunc, "Truncation psi (default 1)");
  cmd->add_option("--trunc-cutoff", latent.trunc_cutoff, "Truncate only layers below this index");
  add_trunc_center_option(cmd, latent);
  cmd->add_option("--noise-mode", latent.noise_mode, "const, random or none (default const)")
      ->check(CLI::IsMember({"const", "random", "none"}));
  cmd->add_option("--class", latent.class_idx, "Class index for conditional models");
  cmd->add_option("--mix-seed", latent.mix_seed, "Take the --styles layers' ws from this seed");
  cmd->add_option("--styles", latent.styles, "Layers for --mix-seed, e.g. 0-3");
  cmd->add_flag("--fp16", latent.fp16, "fp16 where the official code uses it (CUDA only)");
}

bool class_centered(const LatentOptions& latent, const GeneratorConfig& config) {
  if (latent.trunc_center != "class") return false;
  if (config.c_dim == 0) throw InputError("--trunc-center class: this model has no classes");
  return true;
}

std::string resolve_model_path(const std::string& model) {
  namespace fs = std::filesystem;
  if (!model.empty()) {
    if (!fs::exists(model)) throw InputError(model, "no such file");
    return model;
  }
  std::vector<fs::path> candidates = {fs::path(STYLESCOPE_MODELS_DIR) / "default.safetensors"};
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) candidates.push_back(exe.parent_path() / ".." / "models" / "default.safetensors");
  for (const auto& c : candidates)
    if (fs::exists(c)) return c.string();
  throw InputError("no --model given and the embedded default model is missing (looked in " +
                   candidates.front().string() + ")");
}

torch::Device setup_device(const CommonOptions& common, bool exact_fp32) {
  const int threads =
      common.threads > 0 ? common.threads : static_cast<int>(std::thread::hardware_concurrency());
  torch::set_num_threads(std::max(threads, 1));
  if (common.device == "cuda") {
    if (!torch::cuda::is_available())
      throw InputError("--device cuda: no CUDA device is available to this build");
    if (exact_fp32) {
      at::globalContext().setAllowTF32CuDNN(false);
      at::globalContext().setAllowTF32CuBLAS(false);
    }
    return torch::Device(torch::kCUDA);
  }
  return torch::Device(torch::kCPU);
}

ForwardOptions forward_options(const LatentOptions& latent, torch::Device device) {
  ForwardOptions opt;
  opt.noise_mode = parse_noise_mode(latent.noise_mode);
  if (latent.fp16 && !device.is_cuda())
    throw InputError("--fp16 needs --device cuda (parity is judged in fp32)");
  opt.fp16 = latent.fp16;
  return opt;
}

void write_float_npy(const std::string& path, const torch::Tensor& t) {
  auto c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  write_npy(path, TensorRef{DType::Float32, c.sizes().vec(), c.data_ptr()});
}

void write_outputs(const std::string& dir, const std::string& stem, const torch::Tensor& image,
                   const torch::Tensor& ws, bool save_npy) {
  auto chw = image.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  const int c = static_cast<int>(chw.size(0)), h = static_cast<int>(chw.size(1)),
            w = static_cast<int>(chw.size(2));
  const std::vector<uint8_t> pixels = chw_to_hwc_uint8(chw.data_ptr<float>(), c, h, w);
  write_png(dir + "/" + stem + ".png", pixels.data(), w, h, c);
  if (save_npy) {
    write_float_npy(dir + "/" + stem + ".npy", chw);
    write_float_npy(dir + "/" + stem + "_w.npy", ws);
  }
}

ProgressBar::ProgressBar(std::string label, int64_t total)
    : label_(std::move(label)), total_(std::max<int64_t>(total, 1)), start_(now_seconds()), tty_(isatty(2)) {}

void ProgressBar::update(int64_t done, const std::string& note) {
  const double now = now_seconds();
  if (tty_ && done < total_ && now - last_draw_ < 0.1) return;
  last_draw_ = now;
  const double elapsed = now - start_;
  const double eta =
      done > 0 ? elapsed / static_cast<double>(done) * static_cast<double>(total_ - done) : 0.0;
  const int width = 30;
  const int filled = static_cast<int>(width * done / total_);
  std::string bar(filled, '#');
  bar.resize(width, '.');
  char line[256];
  std::snprintf(line, sizeof line, "%s [%s] %lld/%lld  %.1fs elapsed, ETA %.1fs %s", label_.c_str(),
                bar.c_str(), static_cast<long long>(done), static_cast<long long>(total_), elapsed, eta,
                note.c_str());
  if (tty_) {
    std::fprintf(stderr, "\r%s\033[K", line);
  } else if (done >= total_) {
    std::fprintf(stderr, "%s\n", line);
    finished_ = true;  // finish() must not print the final line a second time
  }
  if (tty_ && done >= total_) {
    std::fprintf(stderr, "\n");
    finished_ = true;
  }
}

void ProgressBar::finish() {
  if (!finished_) update(total_);
}

}  // namespace stylescope::cli
