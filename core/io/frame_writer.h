#pragma once
// Where a recording's frames go (DESIGN.md, Files: video out): one small interface with an MP4 writer
// (core/io/video_writer.h, builds with libav*) and a PNG-frame folder behind it. Frames arrive one by one
// as they are rendered and are never all held in memory.
#include <cstdint>
#include <memory>
#include <string>

namespace stylescope {

struct FrameFormat {
  int width = 0;
  int height = 0;
  int channels = 3;  // 1 = L, 3 = RGB, 4 = RGBA (HWC, 8 bits)
};

class FrameWriter {
 public:
  virtual ~FrameWriter() = default;
  // One frame: height * width * channels bytes, HWC, row-major. InputError naming the output when the
  // bytes cannot be written (a full disk...).
  virtual void write(const uint8_t* pixels) = 0;
  // Completes the output. Destroying a writer without finish() abandons the recording (see each writer).
  virtual void finish() = 0;
  virtual int64_t frames_written() const = 0;
};

// `dir`/frame000000.png, frame000001.png, ... in the frame's own channels (as `generate` writes PNGs).
// Each PNG is written atomically, so an abandoned recording leaves only complete frames. Creates `dir`.
std::unique_ptr<FrameWriter> open_png_frame_folder(const std::string& dir, const FrameFormat& format);

}  // namespace stylescope
