#include "app/gui/directions_job.h"

#include "core/latent/direction_compute.h"
#include "core/latent/direction_file.h"
#include "core/model/model_hash.h"

namespace stylescope::gui {

DirectionsJob::~DirectionsJob() {
  cancel_ = true;
  if (worker_.joinable()) worker_.join();
}

void DirectionsJob::start(std::shared_ptr<FrameRenderer> model, const std::string& method, int k,
                          int64_t samples, std::optional<int> class_idx, const std::string& out) {
  if (running_) return;
  if (worker_.joinable()) worker_.join();
  running_ = true;
  cancel_ = false;
  finished_ = false;
  progress_ = 0;
  worker_ = std::thread([this, model, method, k, samples, class_idx, out] {
    std::string file, error;
    try {
      Generator g = model->model().G;
      const int num_ws = model->model().config.num_ws();
      DirectionSet set;
      if (method == "pca") {
        PcaOptions options;
        options.samples = samples;
        options.k = k;
        options.class_idx = class_idx;
        ComputeControl control;
        control.progress = [this](int64_t done, int64_t total) {
          progress_ = static_cast<float>(done) / static_cast<float>(std::max<int64_t>(1, total));
        };
        control.cancel = &cancel_;
        set = pca_directions(g, options, control);
      } else {
        set = sefa_directions(g, all_layers(num_ws), k);
      }
      set.model_hash = model_hash(*g);
      save_direction_set(out, set);
      file = out;
    } catch (const std::exception& e) {
      error = e.what();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    file_ = file;
    error_ = error;
    finished_ = true;
    running_ = false;
  });
}

bool DirectionsJob::take_result(std::string& file, std::string& error) {
  if (!finished_) return false;
  std::lock_guard<std::mutex> lock(mutex_);
  file = file_;
  error = error_;
  finished_ = false;
  return true;
}

}  // namespace stylescope::gui
