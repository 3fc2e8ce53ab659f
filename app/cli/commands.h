#pragma once
// Every subcommand registers itself on the top-level app; main.cpp lists them in one place.
#include <CLI/CLI.hpp>

namespace stylescope::cli {

void add_info_command(CLI::App& app);
void add_generate_command(CLI::App& app);
void add_mix_command(CLI::App& app);
void add_convert_command(CLI::App& app);
void add_bench_command(CLI::App& app);
void add_video_command(CLI::App& app);
void add_directions_command(CLI::App& app);
void add_edit_command(CLI::App& app);
void add_dataset_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_analyze_command(CLI::App& app);
void add_project_command(CLI::App& app);
void add_metrics_command(CLI::App& app);

}  // namespace stylescope::cli
