// `stylescope project`: an image into w, as the official projector.py (outputs of the same names), and
// `stylescope attribute`: the projection distance of every image in a folder (the paper's attribution:
// images the model generated project closer than real ones).
#include <iostream>

#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "app/cli/common.h"
#include "app/cli/projection_run.h"
#include "core/io/errors.h"
#include "core/io/frame_writer.h"
#include "core/io/image.h"
#include "core/latent/latents.h"
#include "core/project/projection_outputs.h"
#include "core/project/projection_target.h"
#include "core/render/image_grid.h"
#include "core/train/dataset_files.h"
#include "core/util/atomic_file.h"
#ifdef STYLESCOPE_HAVE_VIDEO
#include "core/io/video_writer.h"
#endif

namespace stylescope::cli {

namespace {

struct ProjectOptions {
  CommonOptions common;
  std::string target;
  std::string images;  // attribute
  std::string vgg16;
  ProjectionOptions projection;
  bool no_save_video = false;
};

ProjectionOptions checked(const ProjectionOptions& p, const GeneratorConfig& cfg) {
  if (p.class_idx) class_label(cfg.c_dim, p.class_idx);  // an unconditional model refuses --class
  return p;
}

void run_project(const ProjectOptions& o) {
  if (o.common.out.empty()) throw InputError("project: --out DIR is required");
  const torch::Device device = setup_device(o.common);
  LoadedModel model = load_model(resolve_model_path(o.common.model), device);
  const GeneratorConfig& cfg = model.config;
  const ProjectionOptions popts = checked(o.projection, cfg);
  const ProjectionTarget target = load_projection_target(o.target, cfg.img_resolution, cfg.img_channels);
  for (const auto& note : target.notes) std::cerr << "target: " << note << "\n";
  auto distance = projection_distance(o.vgg16, device);
  ensure_directory(o.common.out);

  std::unique_ptr<FrameWriter> video;
  if (!o.no_save_video) {
#ifdef STYLESCOPE_HAVE_VIDEO
    video = open_mp4_writer(o.common.out + "/proj.mp4",
                            FrameFormat{2 * cfg.img_resolution, cfg.img_resolution, cfg.img_channels},
                            Mp4Options{10.0, 18});
#else
    std::cerr << "warning: this build has no video support (libavcodec): proj.mp4 is not written\n";
#endif
  }
  const double start = now_seconds();
  Projector projector(model.G, target.chw, *distance, popts);
  run_projection(projector, "project", [&](const Projector& p) {
    if (!video) return;
    // A frame of proj.mp4: the target beside the current projection, as projector.py writes it.
    const auto synth = render_ws_uint8(model.G, p.ws());
    video->write(
        tile_images({target.image.pixels.data(), synth.data()}, 2, 1, cfg.img_resolution, cfg.img_channels)
            .data());
  });
  const double seconds = now_seconds() - start;
  if (video) video->finish();

  write_projection_outputs(o.common.out, target.image, model.G, projector.ws());
  nlohmann::json report = {{"model", model.path},
                           {"target", o.target},
                           {"target_notes", target.notes},
                           {"distance", projector.last_distance()},
                           {"loss", projector.last_loss()},
                           {"distance_kind", distance->kind()},
                           {"distance_description", distance->description()},
                           {"steps", popts.steps},
                           {"seed", popts.seed},
                           {"wplus", popts.wplus},
                           {"w_avg_samples", popts.w_avg_samples},
                           {"class", popts.class_idx ? nlohmann::json(*popts.class_idx) : nlohmann::json()},
                           {"seconds", seconds},
                           {"device", device.str()}};
  const std::string text = report.dump(2) + "\n";
  write_file_atomic(o.common.out + "/report.json", text.data(), text.size());
  std::cout << "distance " << projector.last_distance() << " (" << distance->kind() << ") after "
            << popts.steps << " steps, " << seconds << " s\n";
}

void run_attribute(const ProjectOptions& o) {
  const torch::Device device = setup_device(o.common);
  LoadedModel model = load_model(resolve_model_path(o.common.model), device);
  const GeneratorConfig& cfg = model.config;
  const ProjectionOptions popts = checked(o.projection, cfg);
  const auto files = train::list_image_files(o.images);
  if (files.empty()) throw InputError(o.images, "no .png/.jpg/.jpeg images in this folder");
  auto distance = projection_distance(o.vgg16, device);
  const WStatistics stats = w_statistics(model.G, popts.w_avg_samples, popts.class_idx);  // the same for all
  nlohmann::json rows = nlohmann::json::array();
  int failed = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string path = o.images + "/" + files[i];
    ProjectionTarget target;
    try {
      target = load_projection_target(path, cfg.img_resolution, cfg.img_channels);
    } catch (const InputError& e) {
      // One unreadable file does not lose the others' results.
      std::cerr << "warning: skipped " << e.what() << "\n";
      rows.push_back({{"image", files[i]}, {"error", e.what()}});
      ++failed;
      continue;
    }
    Projector projector(model.G, target.chw, *distance, popts, &stats);
    run_projection(projector,
                   "[" + std::to_string(i + 1) + "/" + std::to_string(files.size()) + "] " + files[i]);
    std::cout << files[i] << "\t" << projector.last_distance() << std::endl;
    rows.push_back({{"image", files[i]}, {"distance", projector.last_distance()}, {"notes", target.notes}});
  }
  if (failed == static_cast<int>(files.size()))
    throw InputError(o.images, "none of the images could be read");
  if (!o.common.out.empty()) {
    nlohmann::json report = {
        {"model", model.path},  {"images", o.images}, {"distance_kind", distance->kind()},
        {"steps", popts.steps}, {"seed", popts.seed}, {"wplus", popts.wplus},
        {"results", rows}};
    ensure_parent_directory(o.common.out);
    const std::string text = report.dump(2) + "\n";
    write_file_atomic(o.common.out, text.data(), text.size());
  }
}

void add_projection_options(CLI::App* cmd, ProjectOptions& o) {
  add_model_options(cmd, o.common);
  cmd->add_option("--steps", o.projection.steps, "Optimisation steps (default 1000, as projector.py)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--seed", o.projection.seed, "Random seed (default 303, as projector.py)");
  cmd->add_option("--vgg16", o.vgg16,
                  "NVIDIA's vgg16.pt (LPIPS; default: vgg16.pt in the user's config folder, else a built-in "
                  "distance)");
  cmd->add_flag("--wplus", o.projection.wplus, "Optimise one w per layer (w+; not the official method)");
  cmd->add_option("--class", o.projection.class_idx,
                  "Conditional models: the class whose mean w starts the search (default: all classes)");
  cmd->add_option("--w-avg-samples", o.projection.w_avg_samples, "Samples for the mean w (default 10000)")
      ->check(CLI::PositiveNumber);
}

}  // namespace

void add_project_command(CLI::App& app) {
  auto opts = std::make_shared<ProjectOptions>();
  CLI::App* cmd = app.add_subcommand("project", "Project an image into w (the official projector.py)");
  add_projection_options(cmd, *opts);
  cmd->add_option("--target", opts->target, "Target image (PNG/JPEG)")->required();
  cmd->add_flag("--no-save-video", opts->no_save_video, "Do not write proj.mp4");
  cmd->add_option("--out", opts->common.out, "Output folder")->required();
  cmd->callback([opts]() { run_project(*opts); });

  auto aopts = std::make_shared<ProjectOptions>();
  CLI::App* attr = app.add_subcommand(
      "attribute", "Projection distance of each image in a folder (generated images project closer)");
  add_projection_options(attr, *aopts);
  attr->add_option("--images", aopts->images, "Folder of images (searched recursively)")->required();
  attr->add_option("--out", aopts->common.out, "Also write the distances to this JSON file");
  attr->callback([aopts]() { run_attribute(*aopts); });
}

}  // namespace stylescope::cli
