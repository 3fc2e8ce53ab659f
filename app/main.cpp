// stylescope: no subcommand (or `gui`) opens the explorer window; subcommands are the command line.
#include <cstdio>
#include <cstring>
#include <iostream>

#include <CLI/CLI.hpp>

#include "app/cli/commands.h"
#include "app/cli/common.h"
#include "app/gui/gui.h"
#include "app/omp_policy.h"
#include "core/io/errors.h"

int main(int argc, char** argv) {
  using namespace stylescope;
  ensure_passive_omp_wait(argc, argv);
  CLI::App app{"StyleScope: explore StyleGAN2 models in real time", "stylescope"};
  app.set_version_flag("--version", std::string(STYLESCOPE_VERSION));
  app.require_subcommand(0, 1);
  cli::add_info_command(app);
  cli::add_generate_command(app);
  cli::add_mix_command(app);
  cli::add_convert_command(app);
  cli::add_bench_command(app);
  cli::add_video_command(app);
  cli::add_directions_command(app);
  cli::add_edit_command(app);
  cli::add_dataset_command(app);
  cli::add_train_command(app);
  cli::add_analyze_command(app);
  cli::add_project_command(app);
  cli::add_metrics_command(app);
  gui::add_gui_command(app);

  // `stylescope [--model M] ...` without a subcommand means `stylescope gui ...`.
  std::vector<std::string> args(argv + 1, argv + argc);
  const bool wants_help = !args.empty() && (args[0] == "-h" || args[0] == "--help" || args[0] == "--version");
  if (!wants_help && (args.empty() || args[0].rfind("-", 0) == 0)) args.insert(args.begin(), "gui");
  std::reverse(args.begin(), args.end());  // CLI11 takes a reversed vector

  cli::install_cancel_handler();
  try {
    app.parse(args);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();  // a command that already reported its failure
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::fprintf(stderr, "stylescope: %s (see --help)\n", e.what());
    return 2;
  } catch (const cli::CancelledError&) {
    std::fprintf(stderr, "\nstylescope: cancelled\n");
    return 130;
  } catch (const InputError& e) {
    std::fprintf(stderr, "stylescope: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "stylescope: internal error: %s\n", e.what());
    return 1;
  }
  return 0;
}
