// `stylescope train`: the official StyleGAN2 training loop from scratch or fine-tuning a model, with the
// official run folder (training_options.json, stats.jsonl, fakes*.png, network-snapshot-*.safetensors).
#include <cstdio>

#include "app/cli/commands.h"
#include "app/cli/common.h"
#include "core/io/errors.h"
#include "core/model/profile.h"
#include "core/train/distributed.h"
#include "core/train/training_session.h"

namespace stylescope::cli {

namespace {

struct TrainCliOptions {
  train::TrainingOptions train;
  std::string device = "cpu";
  int threads = 0;
  bool profile = false;
  bool no_cond = false;  // --no-cond: TrainingOptions::cond false
};

void print_tick(const train::TickReport& r) {
  // A statistic with no samples in this tick (R1 and path length are lazy, so a short last tick may have
  // none) shows as "-": "nan" would read as a diverged run.
  auto field = [&](const char* name, const char* format) {
    auto it = r.stats.find(name);
    if (it == r.stats.end()) return std::string("-");
    char buf[32];
    std::snprintf(buf, sizeof buf, format, it->second.mean);
    return std::string(buf);
  };
  // The mode-seeking term only when the run has one (--ms-weight), so official runs print the official stats.
  const std::string ms = r.stats.count("Loss/G/ms") ? " ms " + field("Loss/G/ms", "%.4g") : "";
  std::fprintf(stderr, "\rtick %-5d kimg %-8.1f sec/kimg %-8s G %-7s D %-7s r1 %-8s pl %-8s%s%s%s\n", r.tick,
               r.kimg, field("Timing/sec_per_kimg", "%.2f").c_str(), field("Loss/G/loss", "%.4f").c_str(),
               field("Loss/D/loss", "%.4f").c_str(), field("Loss/r1_penalty", "%.4g").c_str(),
               field("Loss/pl_penalty", "%.4g").c_str(), ms.c_str(),
               r.snapshot_path.empty() ? "" : "  snapshot ", r.snapshot_path.c_str());
}

void run_train(const TrainCliOptions& o) {
  CommonOptions common;
  common.device = o.device;
  common.threads = o.threads;
  const torch::Device device = setup_device(common);  // also TF32 off, as the official training loop
  // cuDNN picks its convolution algorithms by timing them once per shape (official cudnn_benchmark=True):
  // the shapes of a run are fixed (batch_gpu chunks, the path-length batch), so this only costs the first
  // iterations.
  if (device.is_cuda()) at::globalContext().setBenchmarkCuDNN(true);
  auto group = train::ProcessGroup::from_environment(device);
  train::SessionSettings settings;
  settings.device = group->device();  // cuda:LOCAL_RANK when several processes share a machine
  settings.write_files = group->rank() == 0;
  if (group->rank() == 0) settings.on_tick = print_tick;
  profile::enable(o.profile);
  train::TrainingOptions options = o.train;
  options.cond = !o.no_cond;
  train::TrainingSession session(options, *group, settings);
  const auto& r = session.resolved();
  if (group->rank() == 0) {
    const auto& info = session.data_info();
    std::fprintf(stderr, "data: %s, %lld images %dx%dx%d%s", info.path.c_str(),
                 static_cast<long long>(info.raw_size), info.resolution, info.resolution, info.channels,
                 info.label_dim ? ", labelled" : "");
    if (info.converted || info.unreadable)
      std::fprintf(stderr, " (%lld converted, %lld unreadable skipped)",
                   static_cast<long long>(info.converted), static_cast<long long>(info.unreadable));
    std::fprintf(stderr,
                 "\ntraining %s for %.3g kimg, batch %d on %d process(es), G %lld params, D %lld params\n",
                 o.train.resume.empty() ? "from scratch" : ("from " + o.train.resume).c_str(), r.total_kimg,
                 r.batch, group->world_size(), static_cast<long long>(parameter_count(*session.networks().G)),
                 static_cast<long long>(parameter_count(*session.networks().D)));
  }
  ProgressBar bar("train", session.total_nimg());
  try {
    while (!session.done()) {
      if (g_cancelled) {
        // Ctrl-C: finish the tick properly so the last snapshot holds everything trained so far.
        session.finish();
        throw CancelledError();
      }
      session.step();
      if (group->rank() == 0) {
        char note[64];
        std::snprintf(note, sizeof note, "kimg %.2f  %.1f img/s", session.cur_nimg() / 1000.0,
                      session.img_per_sec());
        bar.update(std::min(session.cur_nimg(), session.total_nimg()), note);
      }
    }
  } catch (const train::TrainingDiverged& e) {
    std::fprintf(stderr, "\nstylescope: %s\n", e.what());
    throw CLI::RuntimeError(1);
  }
  bar.finish();
  if (group->rank() == 0) std::fprintf(stderr, "done: %s\n", session.last_snapshot().c_str());
  if (o.profile) {
    std::fprintf(stderr, "time by kind of work (exclusive):\n");
    for (auto& [kind, ms] : profile::take()) std::fprintf(stderr, "  %-36s %10.1f ms\n", kind.c_str(), ms);
  }
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto opts = std::make_shared<TrainCliOptions>();
  auto& t = opts->train;
  CLI::App* cmd =
      app.add_subcommand("train", "Train or fine-tune a StyleGAN2 model (the official training loop)");
  cmd->add_option("--data", t.data, "Dataset: a folder of PNG/JPEG images or a dataset zip")->required();
  cmd->add_option("--out", t.out, "Run folder (new or empty)")->required();
  cmd->add_option("--resume", t.resume, "Start from this model (.pkl, .safetensors or a training snapshot)");
  cmd->add_option("--cfg", t.cfg, "Configuration: auto, stylegan2, paper256, paper512, paper1024, cifar")
      ->capture_default_str();
  cmd->add_option("--cbase", t.cbase, "Channel base (capacity multiplier, as stylegan3's train.py)");
  cmd->add_option("--cmax", t.cmax, "Channels at most per layer");
  cmd->add_option("--map", t.map, "Mapping network depth");
  cmd->add_option("--kimg", t.kimg, "Total training length in thousands of images (fractional allowed)");
  cmd->add_option("--batch", t.batch, "Total batch size");
  cmd->add_option("--batch-gpu", t.batch_gpu, "Images per accumulation chunk on each process");
  cmd->add_option("--gamma", t.gamma, "R1 regularization weight");
  cmd->add_option("--glr", t.glr, "G learning rate");
  cmd->add_option("--dlr", t.dlr, "D learning rate");
  cmd->add_option("--mbstd-group", t.mbstd_group, "Minibatch standard deviation group size");
  cmd->add_option("--ema", t.ema_kimg, "G_ema half-life in kimg");
  cmd->add_option("--pl-weight", t.pl_weight, "Path length regularization weight (0: off)");
  cmd->add_option("--mixing", t.style_mixing_prob, "Style mixing regularization probability");
  cmd->add_option("--ms-weight", t.ms_weight,
                  "Mode-seeking regularization weight (not official; against one image per class; 0: off)");
  cmd->add_flag("--mirror", t.mirror, "Add x-flipped copies of the data");
  cmd->add_flag("--no-cond", opts->no_cond, "Ignore dataset labels (train an unconditional model)");
  cmd->add_option("--freezed", t.freezed, "Freeze the first K layers of D (FreezeD)")->capture_default_str();
  cmd->add_option("--tick", t.tick, "kimg per tick (a stats line)")->capture_default_str();
  cmd->add_option("--snap", t.snap, "Ticks between sample grids and snapshots")->capture_default_str();
  cmd->add_option("--seed", t.seed, "Random seed")->capture_default_str();
  cmd->add_option("--workers", t.workers, "Data loading threads")->capture_default_str();
  cmd->add_flag("--train-noise-const", t.train_noise_const,
                "Synthesis noise 'const' while training (for equivalence tests)")
      ->group("");
  cmd->add_option("--device", opts->device, "cpu or cuda")
      ->check(CLI::IsMember({"cpu", "cuda"}))  // anything else would silently train on the CPU
      ->capture_default_str();
  cmd->add_option("--threads", opts->threads, "CPU threads (default: all cores)");
  cmd->add_flag("--profile", opts->profile, "Print where the time went, by kind of work");
  cmd->callback([opts]() { run_train(*opts); });
}

}  // namespace stylescope::cli
