#pragma once
// The Projection panel's worker: projects an image into w (core/project) for the loaded model on a thread of
// its own, publishing after each step the step, the distance and the current projection's image, so the
// panel shows it improving; stops when asked. The finished ws can be saved as projector.py's files and
// used as the explorer's latent.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <torch/torch.h>

#include "core/io/image.h"
#include "core/model/model_file.h"
#include "core/project/projector.h"

namespace stylescope::gui {

struct ProjectionProgress {
  int step = 0, steps = 0;
  double distance = 0, seconds = 0;
  std::string distance_kind;  // "lpips-vgg16" or "builtin-mse-ssim"
  std::string model_path;     // the model projected into
  std::string target_path;
  Image8 target;                   // as the projector sees it
  std::vector<uint8_t> image;      // the current projection (HWC, the model's channels); empty at first
  torch::Tensor ws;                // [1, num_ws, w_dim], undefined before the first step
  std::vector<std::string> notes;  // what was done to the target file
  std::string error;
  bool running = false, finished = false;  // finished: all steps ran (not stopped, no error)
  uint64_t version = 0;                    // changes with every update (the panel re-uploads its preview)
};

class ProjectionJob {
 public:
  ~ProjectionJob();
  // vgg16: NVIDIA's vgg16.pt, or "" for the built-in distance. Errors (a target that is not an image, a bad
  // VGG16 file) end up in progress().error.
  void start(std::shared_ptr<LoadedModel> model, const std::string& target_path, const std::string& vgg16,
             const ProjectionOptions& options);
  void stop();  // the worker stops after its current step; the ws so far stay usable
  bool running() const { return running_; }
  ProjectionProgress progress() const;
  // Writes target.png, proj.png and projected_w.npz into `dir`, or, when `dir` already holds a projection,
  // into `dir`-2, -3, ... (nothing is overwritten, and each saved w is a file of its own that the view
  // loads afresh); returns the w file. InputError when there is nothing to save yet.
  std::string save(const std::string& dir);

 private:
  void publish(const std::function<void(ProjectionProgress&)>& change);
  std::thread worker_;
  std::atomic<bool> running_{false}, stop_{false};
  mutable std::mutex mutex_;
  ProjectionProgress progress_;
  // A copy of the model's generator for the preview and Save: the worker never runs the module the view's
  // render thread runs (its lazily filled inference caches are not locked).
  std::shared_ptr<Generator> render_copy_;
};

}  // namespace stylescope::gui
