#pragma once
// The Directions panel's preview strips: what the current image becomes as one direction's α sweeps
// (−α … +α), the other edits as they are.
#include <vector>

#include "core/explore/frame_renderer.h"

namespace stylescope {

// The α values a strip shows, left to right.
std::vector<double> direction_strip_alphas();

// `base` rendered with direction `index` of its set at each of `alphas` (the other directions' αs kept; the
// layer view, grid and timeline of `base` dropped: a strip shows images), tiled left to right. A frame with
// `error` set when any cell fails.
RenderedFrame render_direction_strip(FrameRenderer& renderer, const RenderRequest& base, int index,
                                     const std::vector<double>& alphas);

}  // namespace stylescope
