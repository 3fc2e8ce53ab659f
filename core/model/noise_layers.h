#pragma once
// The synthesis layers that hold a noise buffer, in the official named_buffers() order (b4.conv1,
// b8.conv0, b8.conv1, ...): the order in which projector.py and the PPL sampler draw their new values.
#include <vector>

#include "core/model/generator.h"

namespace stylescope {

inline std::vector<SynthesisLayer> noise_layers(Generator& G) {
  std::vector<SynthesisLayer> layers;
  for (auto& block : G->synthesis->blocks)
    for (auto& layer : {block->conv0, block->conv1})
      if (layer && layer->use_noise) layers.push_back(layer);
  return layers;
}

}  // namespace stylescope
