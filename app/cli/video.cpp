// `stylescope video`: interpolation videos through keyframes (seeds, then ws files), as gen_video.py
// draws them, into an MP4 or a folder of PNG frames.
#include <filesystem>
#include <regex>

#include "app/cli/commands.h"
#include "app/cli/common.h"
#include "app/cli/direction_options.h"
#include "core/io/errors.h"
#include "core/io/frame_writer.h"
#include "core/io/image_convert.h"
#include "core/latent/interpolation.h"
#include "core/latent/latents.h"
#include "core/render/image_grid.h"
#include "core/util/atomic_file.h"
#include "core/util/int_list.h"
#ifdef STYLESCOPE_HAVE_VIDEO
#include "core/io/video_writer.h"
#endif

namespace stylescope::cli {

namespace {

struct VideoOptions {
  CommonOptions common;
  LatentOptions latent;
  std::string kind = "cubic";  // gen_video.py's defaults: cubic, 120 frames per key, 60 fps
  bool loop = false;
  int64_t frames_per_key = 120;
  double fps = 60.0;
  std::string grid = "1x1";
  int crf = 18;
  DirectionFlags directions;
};

enum class OutputKind { Mp4, PngFolder };

// `.mp4` -> MP4; a trailing '/' or an existing folder -> PNG frames; anything else is refused.
OutputKind output_kind(const std::string& out) {
  namespace fs = std::filesystem;
  if (out.empty()) throw InputError("video: --out is required (out.mp4 or a folder DIR/)");
  if (out.back() == '/' || fs::is_directory(out)) return OutputKind::PngFolder;
  const std::string ext = fs::path(out).extension().string();
  if (ext == ".mp4") {
#ifndef STYLESCOPE_HAVE_VIDEO
    throw InputError("--out " + out +
                     ": this build has no video support (libavcodec was not found when it was built); "
                     "write PNG frames to a folder instead, e.g. --out frames/");
#endif
    return OutputKind::Mp4;
  }
  throw InputError("--out " + out + ": expected a .mp4 file or a folder (end it with '/')");
}

std::pair<int, int> parse_grid(const std::string& text) {
  std::smatch m;
  static const std::regex pattern(R"(^\s*(\d{1,3})\s*[x,]\s*(\d{1,3})\s*$)");
  if (std::regex_match(text, m, pattern)) {
    const int w = std::stoi(m[1]), h = std::stoi(m[2]);
    if (w >= 1 && h >= 1) return {w, h};
  }
  throw InputError("--grid: '" + text + "' is not a grid such as 2x2 (columns x rows, each at least 1)");
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const std::string part =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (part.empty()) throw InputError("--w: '" + text + "' has an empty file name");
    parts.push_back(part);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return parts;
}

// What every frame of every walk needs to become ws: a path, and (slerp) the mapping of its z.
struct Walks {
  std::vector<KeyframePath> paths;
  bool in_z = false;     // slerp: paths give z, mapped per frame
  torch::Tensor mix_ws;  // [1, num_ws, w_dim] from --mix-seed, or undefined
  std::vector<int> mix_layers;
  std::optional<CliEdits> edits;  // --directions/--alpha: applied to every key (slerp: every frame)
};

Walks build_walks(const VideoOptions& o, Renderer& renderer, const LatentRequest& base, LoadedModel& model) {
  const GeneratorConfig& cfg = renderer.generator()->config;
  const InterpolationKind kind = parse_interpolation_kind(o.kind);
  const auto [grid_w, grid_h] = parse_grid(o.grid);
  if (o.latent.seeds.empty() && o.latent.w_file.empty()) throw InputError("video: give --seeds and/or --w");
  if (o.latent.mix_seed.has_value() == o.latent.styles.empty())
    throw InputError("--mix-seed and --styles go together");
  const std::vector<uint32_t> seeds =
      o.latent.seeds.empty() ? std::vector<uint32_t>{} : parse_seed_list(o.latent.seeds, "--seeds");

  Walks walks;
  torch::Tensor keys;
  if (kind == InterpolationKind::Slerp) {
    if (!o.latent.w_file.empty())
      throw InputError(
          "--kind slerp interpolates z, so every key must be a seed (drop --w or use linear/cubic)");
    std::vector<torch::Tensor> zs;
    for (uint32_t s : seeds) zs.push_back(seed_z(s, cfg.z_dim));
    class_label(cfg.c_dim, base.class_idx);  // a conditional model needs --class before any rendering
    keys = torch::cat(zs, 0);
    walks.in_z = true;
  } else {
    std::vector<torch::Tensor> ws;
    for (uint32_t s : seeds) {
      LatentRequest r = base;
      r.seed = s;
      ws.push_back(renderer.ws_for(r).cpu());
    }
    if (!o.latent.w_file.empty()) {
      class_label(cfg.c_dim, base.class_idx);
      for (const auto& file : split_commas(o.latent.w_file))
        ws.push_back(load_ws_file(file, cfg.num_ws(), cfg.w_dim));
    }
    keys = torch::cat(ws, 0);
  }
  if (o.latent.mix_seed) {
    walks.mix_layers = parse_layers(o.latent.styles, cfg.num_ws());
    LatentRequest r = base;
    r.seed = *o.latent.mix_seed;
    walks.mix_ws = renderer.ws_for(r).cpu();
    // Keys are the final ws of each key state, so mixing applies before interpolation (slerp: per frame).
    if (!walks.in_z) keys = mix_styles(keys, walks.mix_ws, walks.mix_layers);
  }
  // Edits come last (mapping -> truncation -> mixing -> edits), so keys are the final ws of each state.
  walks.edits = load_cli_edits(o.directions, model);
  if (walks.edits && !walks.in_z) keys = walks.edits->apply(keys);
  for (const auto& walk : split_into_walks(keys, grid_w, grid_h))
    walks.paths.emplace_back(walk, kind, o.loop, o.frames_per_key);
  return walks;
}

// ws [cells, num_ws, w_dim] of one frame of every walk.
torch::Tensor frame_ws(const Walks& walks, int64_t frame, Renderer& renderer, const LatentRequest& base) {
  std::vector<torch::Tensor> ws;
  for (const auto& path : walks.paths) {
    auto latent = path.frame(frame);
    if (walks.in_z) {
      auto w = renderer.ws_for_z(latent.unsqueeze(0), base).cpu();
      if (walks.mix_ws.defined()) w = mix_styles(w, walks.mix_ws, walks.mix_layers);
      if (walks.edits) w = walks.edits->apply(w);
      ws.push_back(w);
    } else {
      ws.push_back(latent.unsqueeze(0));
    }
  }
  return torch::cat(ws, 0);
}

void run_video(const VideoOptions& o) {
  const OutputKind out_kind = output_kind(o.common.out);
  const auto [grid_w, grid_h] = parse_grid(o.grid);
  const torch::Device device = setup_device(o.common);
  LoadedModel model = load_model(resolve_model_path(o.common.model), device);
  const GeneratorConfig& cfg = model.config;
  Renderer renderer(model.G, device);
  const ForwardOptions fwd = forward_options(o.latent, renderer.device());
  LatentRequest base;
  base.class_idx = o.latent.class_idx;
  base.psi = o.latent.trunc;
  base.cutoff = o.latent.trunc_cutoff;
  base.class_center = class_centered(o.latent, cfg);
  const Walks walks = build_walks(o, renderer, base, model);

  const int res = cfg.img_resolution, channels = cfg.img_channels;
  const FrameFormat format{grid_w * res, grid_h * res, channels};
  std::unique_ptr<FrameWriter> writer;
  if (out_kind == OutputKind::Mp4) {
#ifdef STYLESCOPE_HAVE_VIDEO
    ensure_parent_directory(o.common.out);
    writer = open_mp4_writer(o.common.out, format, Mp4Options{o.fps, o.crf});
#endif
  } else {
    writer = open_png_frame_folder(o.common.out, format);
  }

  const int64_t frames = walks.paths.front().num_frames();
  ProgressBar bar("video", frames);
  for (int64_t f = 0; f < frames; ++f) {
    check_cancelled();
    auto images = renderer.synthesize(frame_ws(walks, f, renderer, base), fwd, grid_w * grid_h).contiguous();
    // gen_video.py's layout: walk (x, y) at column x, row y.
    std::vector<std::vector<uint8_t>> cells;
    std::vector<const uint8_t*> cell_ptrs;
    for (int cell = 0; cell < grid_w * grid_h; ++cell)
      cells.push_back(chw_to_hwc_uint8(images[cell].data_ptr<float>(), channels, res, res));
    for (const auto& c : cells) cell_ptrs.push_back(c.data());
    writer->write(tile_images(cell_ptrs, grid_w, grid_h, res, channels).data());
    bar.update(f + 1);
  }
  check_cancelled();
  writer->finish();
  bar.finish();
}

}  // namespace

void add_video_command(CLI::App& app) {
  auto opts = std::make_shared<VideoOptions>();
  CLI::App* cmd = app.add_subcommand("video", "Interpolation video through keyframes (as gen_video.py)");
  add_model_options(cmd, opts->common);
  add_latent_options(cmd, opts->latent, true);
  cmd->get_option("--w")->description("Keyframe ws files after the seeds, comma-separated (.npy/.npz)");
  cmd->add_option("--kind", opts->kind, "linear, slerp (in z; seeds only) or cubic (default)")
      ->check(CLI::IsMember({"linear", "slerp", "cubic"}));
  cmd->add_flag("--loop", opts->loop, "Close the loop: the last key leads back to the first");
  cmd->add_option("--frames-per-key", opts->frames_per_key, "Frames from one key to the next (default 120)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--fps", opts->fps, "Frames per second of the MP4 (default 60)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--grid", opts->grid,
                  "WxH walks side by side; the keys split into W*H walks (default 1x1)");
  add_direction_options(cmd, opts->directions);
  cmd->add_option("--crf", opts->crf, "H.264 quality, 0 (lossless) .. 51 (default 18)")
      ->check(CLI::Range(0, 51));
  cmd->add_option("--out", opts->common.out, "out.mp4, or a folder (DIR/) for frame000000.png ...")
      ->required();
  cmd->callback([opts]() { run_video(*opts); });
}

}  // namespace stylescope::cli
