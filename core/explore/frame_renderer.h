#pragma once
// FrameRenderer: turns a RenderRequest into display-ready pixels for one loaded model, on whatever thread
// calls it (the AsyncRenderer's worker in the app). Images come out exactly as `generate` writes them.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/explore/render_request.h"
#include "core/latent/directions.h"
#include "core/latent/interpolation.h"
#include "core/model/model_file.h"
#include "core/render/renderer.h"

namespace stylescope {

struct LayerInfo {
  std::string name;  // "b16.conv1"
  std::vector<int64_t> shape;
  std::string dtype;
};

struct RenderedFrame {
  RenderRequest request;
  std::vector<uint8_t> pixels;  // HWC uint8 on the host; empty while the image is only in device_rgba
  // [height, width, 4] uint8 RGBA on the render device, set instead of pixels when the renderer keeps images
  // on the device (the GUI's CUDA-GL interop copies it straight into the texture). Same bytes as pixels.
  torch::Tensor device_rgba;
  int width = 0, height = 0, channels = 0;
  bool colormap = false;          // one channel of activations, to be shown through the colormap
  torch::Tensor ws;               // [1, num_ws, w_dim] as rendered (undefined for grids and errors)
  std::vector<LayerInfo> layers;  // every observable synthesis layer
  // With request.resolution_usage on a skip generator: 4, 8, ..., R and each one's share of the image.
  std::vector<int> resolutions;
  std::vector<double> resolution_share;
  double render_ms = 0;
  std::string error;  // non-empty: nothing was rendered

  bool has_image() const { return !pixels.empty() || device_rgba.defined(); }
  // Fills pixels from device_rgba (one copy to the host) when only the device holds the image.
  void download();
};

// Network output [C, H, W] float -> [H, W, 4] uint8 RGBA on the same device, converted exactly as
// chw_to_hwc_uint8 (PixelConversion::Generate) and expanded as the view's texture holds it (gray to RGB,
// opaque alpha unless the image has its own).
torch::Tensor display_rgba(const torch::Tensor& chw);

class FrameRenderer {
 public:
  FrameRenderer(std::shared_ptr<LoadedModel> model, torch::Device device, ForwardOptions base_options);
  // keep_on_device: a plain image stays on the render device as RenderedFrame::device_rgba instead of
  // coming to the host (grids and layer views always come to the host).
  RenderedFrame render(const RenderRequest& request, bool keep_on_device = false);
  // The final per-layer ws of a request (mapping -> truncation -> seed blend -> mixing -> direction edits
  // -> direct w offsets).
  torch::Tensor compose_ws(const RenderRequest& request);
  const LoadedModel& model() const { return *model_; }
  // The model itself, for another FrameRenderer on another thread (the GUI's recorder).
  std::shared_ptr<LoadedModel> shared_model() const { return model_; }
  torch::Device device() const { return renderer_.device(); }

 private:
  torch::Tensor timeline_ws(const RenderRequest& request);
  // `seed`'s ws with the request's class, or with its mixing class (mix_class, when set) for a mixing source.
  torch::Tensor seed_ws(uint32_t seed, const RenderRequest& request, bool plain_truncation,
                        bool mixing_source = false);
  // ws [1, num_ws, w_dim] number `index` of a .npy / .npz file (read once).
  torch::Tensor saved_ws(const std::string& file, int index);
  ForwardOptions options_for(const RenderRequest& request) const;
  void render_image(const RenderRequest& request, RenderedFrame& frame, bool keep_on_device);
  void render_grid(const RenderRequest& request, RenderedFrame& frame);
  std::shared_ptr<LoadedModel> model_;
  Renderer renderer_;
  ForwardOptions base_options_;
  const DirectionSet& direction_set(const std::string& file);
  std::map<std::string, torch::Tensor> w_files_;
  std::map<std::string, DirectionSet> direction_sets_;
  // The timeline's last path and its keys' ws (scrubbing renders many frames of one path).
  std::vector<std::pair<RenderRequest, torch::Tensor>> key_ws_;
  std::optional<KeyframePath> path_;
  RenderRequest path_request_;  // the timeline fields the path was built for
};

}  // namespace stylescope
