#include "app/gui/projection_job.h"

#include <chrono>

#include "core/io/errors.h"
#include "core/metrics/image_distance.h"
#include "core/project/projection_outputs.h"
#include "core/project/projection_target.h"
#include "core/train/training_networks.h"

namespace stylescope::gui {

ProjectionJob::~ProjectionJob() {
  stop_ = true;
  if (worker_.joinable()) worker_.join();
}

void ProjectionJob::publish(const std::function<void(ProjectionProgress&)>& change) {
  std::lock_guard<std::mutex> lock(mutex_);
  change(progress_);
  ++progress_.version;
}

ProjectionProgress ProjectionJob::progress() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return progress_;
}

void ProjectionJob::stop() { stop_ = true; }

void ProjectionJob::start(std::shared_ptr<LoadedModel> model, const std::string& target_path,
                          const std::string& vgg16, const ProjectionOptions& options) {
  if (running_) return;
  if (worker_.joinable()) worker_.join();
  running_ = true;
  stop_ = false;
  publish([&](ProjectionProgress& p) {
    const uint64_t version = p.version;  // keeps counting across runs
    p = ProjectionProgress{};
    p.version = version;
    p.running = true;
    p.steps = options.steps;
    p.model_path = model->path;
    p.target_path = target_path;
  });
  worker_ = std::thread([this, model, target_path, vgg16, options] {
    const auto start = std::chrono::steady_clock::now();
    const auto elapsed = [&] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    try {
      const GeneratorConfig& cfg = model->config;
      const ProjectionTarget target =
          load_projection_target(target_path, cfg.img_resolution, cfg.img_channels);
      const torch::Device device = model->G->mapping->w_avg.device();
      auto distance = vgg16.empty() ? builtin_image_distance() : load_vgg16_lpips(vgg16, device);
      auto render_copy = std::make_shared<Generator>(train::copy_generator(model->G));
      {
        std::lock_guard<std::mutex> lock(mutex_);
        render_copy_ = render_copy;
      }
      publish([&](ProjectionProgress& p) {
        p.target = target.image;
        p.notes = target.notes;
        p.distance_kind = distance->kind();
      });
      Projector projector(model->G, target.chw, *distance, options);
      double last_image = -1;
      while (!projector.done() && !stop_) {
        projector.step();
        // The preview costs one more forward pass: a few per second are enough to watch.
        const bool show = projector.done() || elapsed() - last_image > 0.2;
        std::vector<uint8_t> image;
        const torch::Tensor ws = projector.ws();
        if (show) {
          image = render_ws_uint8(*render_copy, ws);
          last_image = elapsed();
        }
        publish([&](ProjectionProgress& p) {
          p.step = projector.steps_done();
          p.distance = projector.last_distance();
          p.seconds = elapsed();
          p.ws = ws;
          if (show) p.image = std::move(image);
        });
      }
      publish([&](ProjectionProgress& p) {
        p.finished = projector.done();
        p.running = false;
      });
    } catch (const std::exception& e) {
      const std::string error = e.what();
      publish([&](ProjectionProgress& p) {
        p.error = error;
        p.running = false;
      });
    }
    running_ = false;
  });
}

std::string ProjectionJob::save(const std::string& dir) {
  const ProjectionProgress p = progress();
  std::shared_ptr<Generator> generator;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    generator = render_copy_;
  }
  if (!p.ws.defined() || !generator) throw InputError("no projection to save yet");
  std::string out = dir;
  for (int n = 2; holds_projection(out); ++n) out = dir + "-" + std::to_string(n);
  return write_projection_outputs(out, p.target, *generator, p.ws);
}

}  // namespace stylescope::gui
