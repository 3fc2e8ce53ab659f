#include "core/explore/direction_strip.h"

#include "core/render/image_grid.h"

namespace stylescope {

std::vector<double> direction_strip_alphas() { return {-4.0, -2.0, 0.0, 2.0, 4.0}; }

RenderedFrame render_direction_strip(FrameRenderer& renderer, const RenderRequest& base, int index,
                                     const std::vector<double>& alphas) {
  RenderRequest request = base;
  request.layer.clear();
  request.grid = false;
  request.timeline_keys.clear();
  request.delay_ms = 0;
  RenderedFrame strip;
  strip.request = request;
  std::vector<RenderedFrame> cells;
  for (double alpha : alphas) {
    if (alpha == 0)
      request.direction_alphas.erase(index);  // the request keeps non-zero αs only
    else
      request.direction_alphas[index] = alpha;
    cells.push_back(renderer.render(request));
    const RenderedFrame& cell = cells.back();
    if (!cell.error.empty()) {
      strip.error = cell.error;
      return strip;
    }
    strip.render_ms += cell.render_ms;
  }
  std::vector<const uint8_t*> pointers;
  for (const auto& cell : cells) pointers.push_back(cell.pixels.data());
  const RenderedFrame& first = cells.front();
  strip.width = first.width * static_cast<int>(cells.size());
  strip.height = first.height;
  strip.channels = first.channels;
  strip.pixels = tile_images(pointers, static_cast<int>(cells.size()), 1, first.width, first.channels);
  return strip;
}

}  // namespace stylescope
