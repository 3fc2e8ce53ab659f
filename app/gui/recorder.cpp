#include "app/gui/recorder.h"

#include <cstdio>
#include <filesystem>

#include "core/io/errors.h"
#include "core/io/frame_writer.h"
#include "core/util/atomic_file.h"
#ifdef STYLESCOPE_HAVE_VIDEO
#include "core/io/video_writer.h"
#endif

namespace stylescope::gui {

namespace {

struct Cancelled {};

// As `stylescope video --out`: `.mp4` -> MP4; a trailing '/' or an existing folder -> PNG frames.
bool is_folder_output(const std::string& out) {
  namespace fs = std::filesystem;
  if (out.empty()) throw InputError("Record: give an output (out.mp4 or a folder DIR/)");
  if (out.back() == '/' || fs::is_directory(out)) return true;
  if (fs::path(out).extension() == ".mp4") {
#ifndef STYLESCOPE_HAVE_VIDEO
    throw InputError(out + ": this build has no video support; record PNG frames to a folder (DIR/) instead");
#endif
    return false;
  }
  throw InputError(out + ": expected a .mp4 file or a folder (end it with '/')");
}

// A cancelled or failed PNG recording takes its frames back (the MP4 writer removes its temp file itself).
void remove_frames(const std::string& dir, int64_t count) {
  for (int64_t i = 0; i < count; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "/frame%06lld.png", static_cast<long long>(i));
    std::error_code ec;
    std::filesystem::remove(dir + name, ec);
  }
}

}  // namespace

Recorder::~Recorder() {
  cancel_ = true;
  if (worker_.joinable()) worker_.join();
}

void Recorder::start(std::shared_ptr<LoadedModel> model, torch::Device device, ForwardOptions options,
                     const RenderRequest& timeline, int64_t frames, double fps, int crf,
                     const std::string& out) {
  if (running_) return;
  if (worker_.joinable()) worker_.join();
  running_ = true;
  cancel_ = false;
  finished_ = false;
  done_ = 0;
  total_ = frames;
  started_ = std::chrono::steady_clock::now();
  worker_ = std::thread(&Recorder::run, this, std::move(model), device, std::move(options), timeline, fps,
                        crf, out);
}

double Recorder::eta_seconds() const {
  const int64_t done = done_;
  if (done == 0) return -1;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  return elapsed / static_cast<double>(done) * static_cast<double>(total_ - done);
}

void Recorder::run(std::shared_ptr<LoadedModel> model, torch::Device device, ForwardOptions options,
                   RenderRequest timeline, double fps, int crf, std::string out) {
  std::string written, error;
  bool folder = false, folder_existed = false;
  std::unique_ptr<FrameWriter> writer;
  try {
    folder = is_folder_output(out);
    folder_existed = std::filesystem::exists(out);
    // Its own renderer: the view's worker keeps rendering the preview while this one records.
    FrameRenderer renderer(model, device, std::move(options));
    timeline.layer.clear();  // the images, not a layer's activations
    timeline.delay_ms = 0;
    for (int64_t f = 0; f < total_; ++f) {
      if (cancel_) throw Cancelled{};
      timeline.timeline_frame = f;
      RenderedFrame frame = renderer.render(timeline);
      if (!frame.error.empty()) throw std::runtime_error(frame.error);
      if (!writer) {
        const FrameFormat format{frame.width, frame.height, frame.channels};
        if (folder) {
          writer = open_png_frame_folder(out, format);
        } else {
#ifdef STYLESCOPE_HAVE_VIDEO
          ensure_parent_directory(out);
          writer = open_mp4_writer(out, format, Mp4Options{fps, crf});
#endif
        }
      }
      writer->write(frame.pixels.data());
      done_ = f + 1;
    }
    if (cancel_) throw Cancelled{};
    writer->finish();
    written = out;
  } catch (const Cancelled&) {
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (written.empty() && writer) {
    const int64_t frames = writer->frames_written();
    writer.reset();  // an unfinished MP4 deletes its temp file
    if (folder) remove_frames(out, frames);
  }
  // A folder this recording made and left empty goes too (remove() leaves a non-empty one alone).
  if (written.empty() && folder && !folder_existed) {
    std::error_code ec;
    std::filesystem::remove(out, ec);
  }
  (void)fps;
  (void)crf;
  std::lock_guard<std::mutex> lock(mutex_);
  written_ = written;
  error_ = error;
  finished_ = true;
  running_ = false;
}

bool Recorder::take_result(std::string& written, std::string& error) {
  if (!finished_) return false;
  std::lock_guard<std::mutex> lock(mutex_);
  written = written_;
  error = error_;
  finished_ = false;
  return true;
}

}  // namespace stylescope::gui
