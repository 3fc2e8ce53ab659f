// `stylescope [gui]`: the explorer window, opened where the flags (and a --session) put it.
#include <filesystem>

#include "app/cli/common.h"
#include "app/gui/explorer_app.h"
#include "app/gui/gui.h"
#include "app/gui/window.h"
#include "core/io/errors.h"
#include "core/util/int_list.h"

namespace stylescope::gui {

namespace {

struct GuiOptions {
  cli::CommonOptions common;
  cli::LatentOptions latent;
  std::optional<double> seed_x;
  std::optional<double> trunc;
  std::optional<std::string> noise_mode;
  std::string session, script, size = "1280x800";
  WindowOptions window;
  bool exit_after_render = false;
  int render_delay_ms = 0;
  std::string display = "auto";
};

ExplorerState initial_state(const GuiOptions& o) {
  ExplorerState s;
  if (!o.session.empty()) s = load_session(o.session);
  // State flags override the session.
  if (!o.common.model.empty()) s.model = o.common.model;
  if (s.model.empty()) {
    try {
      s.model = cli::resolve_model_path("");
    } catch (const InputError&) {
      // No embedded default model: the window opens empty and asks for one.
    }
  }
  if (o.seed_x) s.set_seed(static_cast<uint32_t>(*o.seed_x));
  if (o.trunc) s.truncation.psi = *o.trunc;
  if (o.latent.trunc_cutoff) s.truncation.cutoff = o.latent.trunc_cutoff;
  if (o.noise_mode) s.noise.mode = *o.noise_mode;
  if (o.latent.class_idx) s.latent.class_idx = o.latent.class_idx;
  if (o.latent.mix_seed) {
    s.mixing.seed = static_cast<int>(*o.latent.mix_seed);
    s.mixing.enabled = true;
  }
  if (!o.latent.w_file.empty()) s.latent.w_file = o.latent.w_file;
  return s;
}

int run(const GuiOptions& o) {
  if (o.latent.mix_seed.has_value() != !o.latent.styles.empty())
    throw InputError("--mix-seed and --styles go together");
  int width = 0, height = 0;
  if (std::sscanf(o.size.c_str(), "%dx%d", &width, &height) != 2 || width < 320 || height < 240)
    throw InputError("--size: '" + o.size + "' is not WIDTHxHEIGHT (at least 320x240)");
  const torch::Device device = cli::setup_device(o.common);
  AppOptions app_options;
  app_options.display = o.display == "pbo"       ? DisplayPath::Pbo
                        : o.display == "interop" ? DisplayPath::Interop
                                                 : DisplayPath::Auto;
  if (app_options.display == DisplayPath::Interop && !GlImage::interop_compiled())
    throw InputError("--display interop: this build has no CUDA (configure against a CUDA LibTorch)");
  if (app_options.display == DisplayPath::Interop && !device.is_cuda())
    throw InputError("--display interop: images are rendered on the CPU; pass --device cuda");
  app_options.scripted = !o.script.empty() || o.exit_after_render;
  if (!o.script.empty()) app_options.script = Script::load(o.script);
  app_options.initial_styles = o.latent.styles;
  app_options.render_delay_ms = o.render_delay_ms;
  ExplorerState state = initial_state(o);
  if (app_options.scripted && state.model.empty())
    throw InputError("no model: pass --model (there is no embedded default model)");
  ExplorerApp app(std::move(state), std::move(app_options), device, cli::forward_options(o.latent, device));
  WindowOptions window = o.window;
  window.width = width;
  window.height = height;
  return run_window(app, window, !o.script.empty() || o.exit_after_render);
}

}  // namespace

void add_gui_command(CLI::App& app) {
  auto opts = std::make_shared<GuiOptions>();
  CLI::App* cmd = app.add_subcommand("gui", "Open the explorer window (the default without a subcommand)");
  cli::add_model_options(cmd, opts->common);
  cmd->add_option("--session", opts->session, "Open a saved session (the state flags below override it)");
  cmd->add_option("--seed", opts->seed_x, "Seed to show")->check(CLI::Range(0.0, 4294967295.0));
  cmd->add_option("--trunc", opts->trunc, "Truncation psi");
  cmd->add_option("--trunc-cutoff", opts->latent.trunc_cutoff, "Truncate only layers below this index");
  cmd->add_option("--noise-mode", opts->noise_mode, "const, random or none")
      ->check(CLI::IsMember({"const", "random", "none"}));
  cmd->add_option("--class", opts->latent.class_idx, "Class index for conditional models");
  cmd->add_option("--mix-seed", opts->latent.mix_seed, "Seed whose styles are mixed in");
  cmd->add_option("--styles", opts->latent.styles, "Layers taken from --mix-seed, e.g. 0-3");
  cmd->add_option("--w", opts->latent.w_file, "Show a saved w (.npy / .npz) instead of a seed");
  cmd->add_option("--script", opts->script, "Play back a JSON list of steps (see README), then exit");
  cmd->add_option("--screenshot", opts->window.screenshot,
                  "Scripted mode: write the whole window to this PNG");
  cmd->add_option("--save-view", opts->window.save_view,
                  "Scripted mode: write the displayed image to this PNG");
  cmd->add_option("--save-texture", opts->window.save_texture,
                  "Scripted mode: write the view texture as read back from OpenGL");
  cmd->add_option("--stats", opts->window.stats, "Write UI frame counters as JSON on exit");
  cmd->add_option("--layout", opts->window.layout,
                  "Scripted mode: write where windows and panels were drawn");
  cmd->add_option("--size", opts->size, "Window size WIDTHxHEIGHT (default 1280x800)");
  cmd->add_option("--display", opts->display,
                  "How images reach the screen: auto (CUDA-GL interop when rendering on a GPU), pbo "
                  "(through host memory) or interop (required; scripted mode exits 2 without it)")
      ->check(CLI::IsMember({"auto", "pbo", "interop"}));
  cmd->add_flag("--exit-after-render", opts->exit_after_render,
                "Exit once the image of the final state is shown");
  cmd->add_option("--debug-render-delay-ms", opts->render_delay_ms,
                  "Tests: make every render this much slower")
      ->group("");
  cmd->callback([opts]() {
    const int code = run(*opts);
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace stylescope::gui
