// `stylescope dataset`: a training zip or folder in the official dataset_tool layout
// (core/train/dataset_tool.h).
#include <cstdio>

#include "app/cli/commands.h"
#include "app/cli/common.h"
#include "core/train/dataset_tool.h"

namespace stylescope::cli {

namespace {

void run_dataset(const train::DatasetToolOptions& options) {
  std::unique_ptr<ProgressBar> bar;
  const train::DatasetToolSummary summary = train::write_dataset(options, [&](int64_t done, int64_t total) {
    check_cancelled();  // throwing here discards the unfinished zip or folder
    if (!bar) bar = std::make_unique<ProgressBar>("dataset", total);
    bar->update(done);
  });
  if (bar) bar->finish();
  std::printf("%s: %lld images %dx%d, %d channel%s, %s (from a %s)\n", options.dest.c_str(),
              static_cast<long long>(summary.images), summary.resolution, summary.resolution,
              summary.channels, summary.channels == 1 ? "" : "s", summary.labeled ? "labeled" : "unlabeled",
              summary.kind.c_str());
}

}  // namespace

void add_dataset_command(CLI::App& app) {
  auto opts = std::make_shared<train::DatasetToolOptions>();
  CLI::App* cmd =
      app.add_subcommand("dataset", "Write a training zip (or folder) in the official dataset_tool layout");
  cmd->add_option("--source", opts->source,
                  "A folder of images, a dataset .zip, or a folder of MNIST-style IDX files")
      ->required();
  cmd->add_option("--dest", opts->dest, "The .zip, or else folder, to write (must not exist)")->required();
  cmd->add_option("--resolution", opts->resolution, "Output size (a power of two)");
  cmd->add_option("--transform", opts->transform, "center-crop or pad (default: images must already fit)")
      ->check(CLI::IsMember({"center-crop", "pad"}));
  cmd->callback([opts]() { run_dataset(*opts); });
}

}  // namespace stylescope::cli
