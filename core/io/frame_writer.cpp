#include "core/io/frame_writer.h"

#include <cstdio>
#include <stdexcept>

#include "core/io/image.h"
#include "core/util/atomic_file.h"

namespace stylescope {

namespace {

class PngFrameFolder : public FrameWriter {
 public:
  PngFrameFolder(std::string dir, const FrameFormat& format) : dir_(std::move(dir)), format_(format) {
    ensure_directory(dir_);
  }

  void write(const uint8_t* pixels) override {
    char name[32];
    std::snprintf(name, sizeof name, "frame%06lld.png", static_cast<long long>(frames_));
    write_png(dir_ + "/" + name, pixels, format_.width, format_.height, format_.channels);
    ++frames_;
  }
  void finish() override {}
  int64_t frames_written() const override { return frames_; }

 private:
  std::string dir_;
  FrameFormat format_;
  int64_t frames_ = 0;
};

}  // namespace

std::unique_ptr<FrameWriter> open_png_frame_folder(const std::string& dir, const FrameFormat& format) {
  if (format.width < 1 || format.height < 1 || format.channels < 1 || format.channels > 4)
    throw std::invalid_argument("open_png_frame_folder: bad frame format");
  return std::make_unique<PngFrameFolder>(dir, format);
}

}  // namespace stylescope
