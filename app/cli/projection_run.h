#pragma once
// What `project` and `attribute` share: the image distance a run uses (VGG16 LPIPS or the built-in one) and
// one projection with a progress bar.
#include <functional>
#include <memory>
#include <string>

#include <torch/torch.h>

#include "core/metrics/image_distance.h"
#include "core/model/model_file.h"
#include "core/project/projector.h"

namespace stylescope::cli {

// --vgg16 (or the user's config) when there is one, else the built-in distance with a note on stderr.
std::unique_ptr<ImageDistance> projection_distance(const std::string& vgg16_flag, torch::Device device);

// Runs every step, drawing `label`'s progress bar with the distance; after_step(projector) runs after each
// step (the video frames). Cancellable with Ctrl-C.
void run_projection(Projector& projector, const std::string& label,
                    const std::function<void(const Projector&)>& after_step = {});

}  // namespace stylescope::cli
