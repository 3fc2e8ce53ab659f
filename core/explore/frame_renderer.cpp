#include "core/explore/frame_renderer.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "core/explore/layer_view.h"
#include "core/io/errors.h"
#include "core/io/image_convert.h"
#include "core/latent/direction_file.h"
#include "core/latent/latents.h"
#include "core/metrics/resolution_usage.h"
#include "core/render/image_grid.h"
#include "core/render/seeded_generator.h"

namespace stylescope {

FrameRenderer::FrameRenderer(std::shared_ptr<LoadedModel> model, torch::Device device,
                             ForwardOptions base_options)
    : model_(std::move(model)), renderer_(model_->G, device), base_options_(std::move(base_options)) {}

torch::Tensor FrameRenderer::seed_ws(uint32_t seed, const RenderRequest& r, bool plain_truncation,
                                     bool mixing_source) {
  LatentRequest lr;
  lr.seed = seed;
  lr.class_idx = mixing_source && r.mix_class && model_->config.c_dim > 0 ? r.mix_class : r.class_idx;
  if (model_->config.c_dim > 0 && !lr.class_idx) lr.class_idx = 0;
  lr.psi = r.psi;
  lr.cutoff = plain_truncation ? std::nullopt : r.cutoff;
  lr.plain_truncation = plain_truncation;
  lr.class_center = r.class_center;
  return renderer_.ws_for(lr);
}

const DirectionSet& FrameRenderer::direction_set(const std::string& file) {
  // Keyed by modification time too: the Directions panel may compute a new set into the same file.
  std::error_code ec;
  const auto stamp = std::filesystem::last_write_time(file, ec).time_since_epoch().count();
  const std::string key = file + "@" + std::to_string(ec ? 0 : stamp);
  auto it = direction_sets_.find(key);
  if (it == direction_sets_.end()) {
    const GeneratorConfig& cfg = model_->config;
    it = direction_sets_.emplace(key, load_direction_set(file, cfg.w_dim, cfg.num_ws())).first;
  }
  return it->second;
}

torch::Tensor FrameRenderer::timeline_ws(const RenderRequest& r) {
  const bool same_path = path_ && path_request_.timeline_keys == r.timeline_keys &&
                         path_request_.timeline_kind == r.timeline_kind &&
                         path_request_.timeline_loop == r.timeline_loop &&
                         path_request_.timeline_frames_per_key == r.timeline_frames_per_key &&
                         path_request_.timeline_segment_frames == r.timeline_segment_frames;
  if (!same_path) {
    std::vector<std::pair<RenderRequest, torch::Tensor>> cache;
    std::vector<torch::Tensor> keys;
    for (const RenderRequest& key : r.timeline_keys) {
      auto it = std::find_if(key_ws_.begin(), key_ws_.end(), [&](const auto& e) { return e.first == key; });
      torch::Tensor ws = it != key_ws_.end() ? it->second : compose_ws(key);
      cache.emplace_back(key, ws);
      keys.push_back(ws);
    }
    key_ws_ = std::move(cache);
    path_.reset();
    const auto kind = parse_interpolation_kind(r.timeline_kind, "timeline.kind");
    if (r.timeline_segment_frames.empty())
      path_.emplace(torch::cat(keys, 0), kind, r.timeline_loop, r.timeline_frames_per_key);
    else
      path_.emplace(torch::cat(keys, 0), kind, r.timeline_loop, r.timeline_segment_frames);
    path_request_ = r;
  }
  return path_->frame(r.timeline_frame).unsqueeze(0);
}

torch::Tensor FrameRenderer::saved_ws(const std::string& file, int index) {
  const GeneratorConfig& cfg = model_->config;
  auto it = w_files_.find(file);
  if (it == w_files_.end()) it = w_files_.emplace(file, load_ws_file(file, cfg.num_ws(), cfg.w_dim)).first;
  if (index < 0 || index >= it->second.size(0))
    throw InputError(file, "has " + std::to_string(it->second.size(0)) + " ws; index " +
                               std::to_string(index) + " is out of range");
  return it->second.narrow(0, index, 1).to(renderer_.device());
}

torch::Tensor FrameRenderer::compose_ws(const RenderRequest& r) {
  torch::NoGradGuard no_grad;
  if (!r.timeline_keys.empty()) return timeline_ws(r);
  torch::Tensor ws;
  if (!r.w_file.empty()) {
    ws = saved_ws(r.w_file, r.w_index);
  } else if (r.seeds.size() == 1 && r.seeds[0].second == 1.0) {
    ws = seed_ws(r.seeds[0].first, r, false);  // a whole seed: exactly the ws `generate` uses
  } else {
    // The visualizer's blend: weights applied to ws relative to w_avg, then w_avg added back.
    auto avg = renderer_.generator()->mapping->w_avg;
    torch::Tensor sum;
    for (const auto& [seed, weight] : r.seeds) {
      auto term = (seed_ws(seed, r, false) - avg) * weight;
      sum = sum.defined() ? sum + term : term;
    }
    ws = sum + avg;
  }
  ws = ws.clone();
  const int64_t num_ws = ws.size(1);
  if (r.mix) {
    auto mix_ws =
        r.mix_w_file.empty() ? seed_ws(r.mix_seed, r, false, true) : saved_ws(r.mix_w_file, r.mix_w_index);
    for (int layer : r.mix_layers) {
      if (layer < 0 || layer >= num_ws) continue;
      auto dst = ws.select(1, layer);
      auto src = mix_ws.select(1, layer);
      if (r.mix_strength == 1.0)
        dst.copy_(src);
      else
        dst.copy_(torch::lerp(dst, src, r.mix_strength));
    }
  }
  if (!r.direction_alphas.empty()) {
    const DirectionSet& set = direction_set(r.directions_file);
    std::vector<DirectionEdit> edits;
    for (const auto& [index, alpha] : r.direction_alphas) edits.push_back({index, alpha});
    ws = apply_edits(ws, set, edits);
  }
  if (!r.edit_offsets.empty()) {
    const int64_t first = std::max(0, r.edit_first);
    const int64_t last = r.edit_last < 0 ? num_ws - 1 : std::min<int64_t>(r.edit_last, num_ws - 1);
    for (const auto& [dim, offset] : r.edit_offsets) {
      if (dim < 0 || dim >= ws.size(2) || first > last) continue;
      ws.narrow(1, first, last - first + 1).select(2, dim).add_(offset);
    }
  }
  return ws;
}

ForwardOptions FrameRenderer::options_for(const RenderRequest& r) const {
  ForwardOptions o = base_options_;
  o.noise_mode = parse_noise_mode(r.noise_mode);
  o.noise_scale = r.noise_strength;
  if (o.noise_mode == NoiseMode::Random) {
    // A generator of this render's own (the same draws as after torch::manual_seed(noise_seed)).
    o.noise_generator = seeded_generator(renderer_.device(), static_cast<uint64_t>(r.noise_seed));
  }
  return o;
}

void FrameRenderer::render_image(const RenderRequest& r, RenderedFrame& frame, bool keep_on_device) {
  const GeneratorConfig& cfg = model_->config;
  frame.ws = compose_ws(r);
  ForwardOptions o = options_for(r);
  torch::Tensor captured, skip_sum;
  // The Resolution panel: every block's ToRGB output (skip generators) and the skip sum to show.
  const bool usage = r.resolution_usage && r.layer.empty() && cfg.architecture == Architecture::Skip;
  std::map<int, torch::Tensor> torgb;
  o.observe = [&](const std::string& name, const torch::Tensor& out) {
    frame.layers.push_back({name, out.sizes().vec(), std::string(c10::toString(out.scalar_type()))});
    if (name == r.layer) captured = out[0].to(torch::kFloat32).to(torch::kCPU).clone();
    const auto block = usage ? parse_skip_block_output(name) : std::nullopt;
    if (block && block->torgb)
      torgb[block->resolution] = out.narrow(0, 0, 1).to(torch::kFloat32).clone();
    else if (block && block->resolution == r.skip_sum_resolution)
      skip_sum = out.narrow(0, 0, 1).to(torch::kFloat32).clone();
  };
  if (usage) keep_on_device = false;
  torch::Tensor image;
  if (keep_on_device && r.layer.empty()) {
    torch::NoGradGuard no_grad;
    image = renderer_.generator()->synthesis->forward(frame.ws.to(renderer_.device()), o)[0];
  } else {
    image = renderer_.synthesize(frame.ws, o)[0].contiguous();
  }
  if (!r.layer.empty() && captured.defined()) {
    LayerViewOptions lv;
    lv.channel = r.channel;
    lv.rgb = r.rgb;
    lv.normalize = r.normalize;
    lv.fft = r.fft;
    lv.brightness_db = r.brightness_db;
    LayerImage li = layer_image(captured, lv);
    frame.pixels = std::move(li.pixels);
    frame.width = li.width;
    frame.height = li.height;
    frame.channels = li.channels;
    frame.colormap = li.channels == 1;
    return;
  }
  if (!r.layer.empty()) frame.error = "no layer named '" + r.layer + "'; showing the image";
  const int res = cfg.img_resolution, ch = cfg.img_channels;
  if (usage) {
    const ResolutionContributions c = contributions_of_torgb(torgb, res);
    frame.resolutions = c.resolutions;
    frame.resolution_share = c.share;
    if (skip_sum.defined())
      image = skip_upsample(skip_sum, res)[0].to(torch::kCPU).contiguous();
    else if (r.skip_sum_resolution > 0)
      frame.error = "no skip sum at " + std::to_string(r.skip_sum_resolution) + "x" +
                    std::to_string(r.skip_sum_resolution) + "; showing the image";
  }
  frame.width = frame.height = res;
  frame.channels = ch;
  if (keep_on_device) {
    frame.device_rgba = display_rgba(image);
    // Waits for the device so that render_ms is the render's time and the UI thread's copy finds it done.
    if (frame.device_rgba.is_cuda()) torch::cuda::synchronize(frame.device_rgba.device().index());
    return;
  }
  frame.pixels = chw_to_hwc_uint8(image.data_ptr<float>(), ch, res, res);
}

void FrameRenderer::render_grid(const RenderRequest& r, RenderedFrame& frame) {
  // The paper's figure as `stylescope mix` draws it (style_mixing.py's plain truncation).
  const GeneratorConfig& cfg = model_->config;
  const int res = cfg.img_resolution, ch = cfg.img_channels;
  auto pixels_for = [&](const torch::Tensor& ws) {
    // Each cell's noise starts from the noise seed again, as each image of `mix` would.
    const ForwardOptions cell = options_for(r);
    auto image = renderer_.synthesize(ws, cell)[0].contiguous();
    return chw_to_hwc_uint8(image.data_ptr<float>(), ch, res, res);
  };
  std::vector<int> layers;
  for (int l : r.mix_layers)
    if (l >= 0 && l < cfg.num_ws()) layers.push_back(l);
  std::vector<std::vector<uint8_t>> store;
  store.reserve((r.grid_rows.size() + 1) * (r.grid_cols.size() + 1));
  std::vector<const uint8_t*> cells;
  for (size_t ri = 0; ri <= r.grid_rows.size(); ++ri)
    for (size_t ci = 0; ci <= r.grid_cols.size(); ++ci) {
      if (ri == 0 && ci == 0) {
        cells.push_back(nullptr);
        continue;
      }
      torch::Tensor ws;
      if (ri == 0)
        ws = seed_ws(static_cast<uint32_t>(r.grid_cols[ci - 1]), r, true, true);
      else if (ci == 0)
        ws = seed_ws(static_cast<uint32_t>(r.grid_rows[ri - 1]), r, true);
      else
        ws = mix_styles(seed_ws(static_cast<uint32_t>(r.grid_rows[ri - 1]), r, true),
                        seed_ws(static_cast<uint32_t>(r.grid_cols[ci - 1]), r, true, true), layers);
      store.push_back(pixels_for(ws));
      cells.push_back(store.back().data());
    }
  const int cols = static_cast<int>(r.grid_cols.size() + 1), rows = static_cast<int>(r.grid_rows.size() + 1);
  frame.pixels = tile_images(cells, cols, rows, res, ch);
  frame.width = cols * res;
  frame.height = rows * res;
  frame.channels = ch;
}

torch::Tensor display_rgba(const torch::Tensor& chw) {
  // As chw_to_hwc_uint8: a separate multiply and add in float32 (two kernels, never fused), then clamp and
  // truncate; NaN goes to 0 and infinities to the ends, as on the host.
  auto v = chw.to(torch::kFloat32).mul(127.5).add(128.0);
  v = torch::nan_to_num(v, 0.0, 255.0, 0.0).clamp(0.0, 255.0).to(torch::kUInt8);
  const int64_t c = v.size(0);
  static const std::vector<int64_t> kSources[] = {{0, 0, 0}, {0, 0, 0, 1}, {0, 1, 2}, {0, 1, 2, 3}};
  if (c < 1 || c > 4) throw std::invalid_argument("display_rgba: images have 1 to 4 channels");
  const auto& sources = kSources[c - 1];
  auto index = torch::tensor(sources, torch::TensorOptions().dtype(torch::kLong)).to(v.device());
  auto rgba = v.index_select(0, index);
  if (sources.size() == 3) rgba = torch::cat({rgba, torch::full_like(rgba.narrow(0, 0, 1), 255)}, 0);
  return rgba.permute({1, 2, 0}).contiguous();
}

void RenderedFrame::download() {
  if (!pixels.empty() || !device_rgba.defined()) return;
  auto host = device_rgba.to(torch::kCPU).contiguous();
  pixels = rgba_to_channels(host.data_ptr<uint8_t>(), static_cast<size_t>(width) * height, channels);
}

RenderedFrame FrameRenderer::render(const RenderRequest& r, bool keep_on_device) {
  const auto start = std::chrono::steady_clock::now();
  RenderedFrame frame;
  frame.request = r;
  try {
    if (r.grid)
      render_grid(r, frame);
    else
      render_image(r, frame, keep_on_device);
  } catch (const std::exception& e) {
    frame.pixels.clear();
    frame.device_rgba = torch::Tensor();
    frame.error = e.what();
  }
  frame.render_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return frame;
}

}  // namespace stylescope
