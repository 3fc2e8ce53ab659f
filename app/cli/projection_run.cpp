#include "app/cli/projection_run.h"

#include <cstdio>
#include <iostream>

#include "app/cli/common.h"
#include "core/util/user_paths.h"

namespace stylescope::cli {

std::unique_ptr<ImageDistance> projection_distance(const std::string& vgg16_flag, torch::Device device) {
  const std::string path = resolve_vgg16_path(vgg16_flag);
  if (!path.empty()) return load_vgg16_lpips(path, device);
  auto builtin = builtin_image_distance();
  std::cerr << "note: no VGG16 file (--vgg16 PATH or " << user_config_dir() << "/vgg16.pt): using the "
            << builtin->description() << "\n";
  return builtin;
}

void run_projection(Projector& projector, const std::string& label,
                    const std::function<void(const Projector&)>& after_step) {
  ProgressBar bar(label, projector.steps());
  while (!projector.done()) {
    check_cancelled();
    projector.step();
    if (after_step) after_step(projector);
    char note[64];
    std::snprintf(note, sizeof note, "dist %.4f", projector.last_distance());
    bar.update(projector.steps_done(), note);
  }
  bar.finish();
}

}  // namespace stylescope::cli
