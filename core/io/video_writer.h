#pragma once
// H.264 in MP4 through libavcodec/libavformat (libx264), yuv420p through libswscale. Only in builds with
// video support (STYLESCOPE_HAVE_VIDEO); the PNG-frame folder in frame_writer.h is always there.
#include <memory>
#include <string>

#include "core/io/frame_writer.h"

namespace stylescope {

struct Mp4Options {
  double fps = 60.0;  // gen_video.py's rate
  int crf = 18;       // x264 constant rate factor, 0 (lossless) .. 51
};

// Streams frames into `path` (.mp4). The container is written to a temp file beside `path`
// ("<path>.tmp-<pid>-<n>") and renamed over `path` by finish(); a writer destroyed before finish() (an
// error, a cancel) deletes its temp file, so no half-written video is ever left. Odd widths and heights,
// which yuv420p cannot hold, are padded by repeating the last column / row. Grayscale frames are shown
// as gray, RGBA frames lose their alpha. InputError naming `path` when it cannot be written or fps / crf
// are out of range.
std::unique_ptr<FrameWriter> open_mp4_writer(const std::string& path, const FrameFormat& format,
                                             const Mp4Options& options = {});

// The size of the encoded picture for a frame size: both rounded up to even numbers.
int padded_video_dimension(int size);

}  // namespace stylescope
