#pragma once
// Options and helpers shared by the subcommands (DESIGN.md, Command line): one place declares the common
// flags (--model, --device, --threads, --out) and the latent flags.
#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include <torch/torch.h>
#include <CLI/CLI.hpp>

#include "core/model/layers.h"
#include "core/model/model_file.h"
#include "core/render/renderer.h"

namespace stylescope::cli {

struct CommonOptions {
  std::string model;
  std::string device = "cpu";
  int threads = 0;  // 0: all cores
  std::string out;
};

struct LatentOptions {
  std::string seeds;
  double trunc = 1.0;
  std::optional<int> trunc_cutoff;
  std::string trunc_center = "global";  // global (official) | class
  std::string noise_mode = "const";
  std::optional<int> class_idx;
  std::optional<uint32_t> mix_seed;
  std::string styles;
  std::string w_file;
  bool fp16 = false;
};

void add_model_options(CLI::App* cmd, CommonOptions& common);  // --model --device --threads
void add_latent_options(CLI::App* cmd, LatentOptions& latent, bool with_seeds);
void add_trunc_center_option(CLI::App* cmd, LatentOptions& latent);  // --trunc-center (in add_latent_options)

// The model path to use: --model, else the embedded default model (STYLESCOPE_MODELS_DIR, then
// <executable dir>/../models). Throws InputError when neither exists.
std::string resolve_model_path(const std::string& model);
// Applies --threads and checks --device; returns the torch device. On CUDA, exact_fp32 turns TF32 off for
// cuDNN convolutions and cuBLAS matmuls (LibTorch's default lets convolutions round their inputs to TF32, a
// 10-bit mantissa, on Ampere and later, which can break the CPU parity tolerances; the official training loop
// turns it off too). exact_fp32 false keeps LibTorch's defaults, as the official generate.py runs.
torch::Device setup_device(const CommonOptions& common, bool exact_fp32 = true);
ForwardOptions forward_options(const LatentOptions& latent, torch::Device device);
// --trunc-center class: truncate towards the class's mean w (LatentRequest::class_center). InputError on a
// model without classes.
bool class_centered(const LatentOptions& latent, const GeneratorConfig& config);

// Writes one image [C,H,W] float as PNG with the official 8-bit conversion (and, with save_npy, the raw
// float32 array as `<stem>.npy` and `ws` [num_ws, w_dim] as `<stem>_w.npy`).
void write_outputs(const std::string& dir, const std::string& stem, const torch::Tensor& image,
                   const torch::Tensor& ws, bool save_npy);
void write_float_npy(const std::string& path, const torch::Tensor& t);

// Set by SIGINT: long loops stop between items (every file already written is complete).
extern std::atomic<bool> g_cancelled;
void install_cancel_handler();
void check_cancelled();  // throws CancelledError when set

struct CancelledError : std::runtime_error {
  CancelledError() : std::runtime_error("cancelled") {}
};

// A progress bar with ETA on stderr (redrawn in place on a terminal, a final line otherwise).
class ProgressBar {
 public:
  ProgressBar(std::string label, int64_t total);
  void update(int64_t done, const std::string& note = "");
  void finish();

 private:
  std::string label_;
  int64_t total_;
  double start_;
  double last_draw_ = -1;
  bool tty_;
  bool finished_ = false;
};

double now_seconds();

}  // namespace stylescope::cli
