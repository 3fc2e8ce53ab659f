#pragma once
// The projector's target from an image file, prepared as projector.py prepares it: the centred square
// crop, resized to the model's resolution (stb's filter where projector.py uses PIL's Lanczos: identical for
// an image already at that size), in the model's channels.
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/io/image.h"

namespace stylescope {

struct ProjectionTarget {
  Image8 image;       // as the projector sees it (target.png)
  torch::Tensor chw;  // [C, R, R] uint8
  std::vector<std::string>
      notes;  // what was done to the file ("resized from 640x480", "RGB converted to gray")
};

// InputError naming the file when it is not an image.
ProjectionTarget load_projection_target(const std::string& path, int resolution, int channels);
// The same for an image already in memory (the GUI's drop).
ProjectionTarget prepare_projection_target(const Image8& image, int resolution, int channels);

}  // namespace stylescope
