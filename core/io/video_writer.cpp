#include "core/io/video_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

#include "core/io/errors.h"

namespace stylescope {

namespace {

std::string av_error_text(int error) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(error, text, sizeof text);
  return text;
}

// A fresh, exclusive temp name beside `path` (same folder, so the final rename is atomic).
std::string create_temp_file(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string temp = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) {
      ::close(fd);
      return temp;
    }
    if (errno != EEXIST) throw InputError(path, std::string("cannot write: ") + std::strerror(errno));
  }
  throw InputError(path, "cannot write: no free temp name");
}

AVPixelFormat source_pixel_format(int channels) {
  switch (channels) {
    case 1:
      return AV_PIX_FMT_GRAY8;
    case 3:
      return AV_PIX_FMT_RGB24;
    case 4:
      return AV_PIX_FMT_RGBA;
  }
  throw InputError("video: frames with " + std::to_string(channels) + " channels cannot be encoded");
}

class Mp4Writer : public FrameWriter {
 public:
  Mp4Writer(std::string path, const FrameFormat& format, const Mp4Options& options)
      : path_(std::move(path)), format_(format) {
    temp_path_ = create_temp_file(path_);
    try {
      open(options);
    } catch (...) {
      release();
      throw;
    }
  }

  ~Mp4Writer() override { release(); }

  void write(const uint8_t* pixels) override {
    // Copy into the padded source picture (edge rows / columns repeated), then convert to yuv420p.
    const int c = format_.channels, w = format_.width, h = format_.height;
    const int pw = codec_->width, ph = codec_->height;
    for (int y = 0; y < ph; ++y) {
      const uint8_t* src = pixels + static_cast<size_t>(std::min(y, h - 1)) * w * c;
      uint8_t* dst = padded_.data() + static_cast<size_t>(y) * pw * c;
      std::memcpy(dst, src, static_cast<size_t>(w) * c);
      for (int x = w; x < pw; ++x)
        std::memcpy(dst + static_cast<size_t>(x) * c, src + static_cast<size_t>(w - 1) * c, c);
    }
    check(av_frame_make_writable(frame_), "frame buffer");
    const uint8_t* src_planes[1] = {padded_.data()};
    const int src_strides[1] = {pw * c};
    sws_scale(scaler_, src_planes, src_strides, 0, ph, frame_->data, frame_->linesize);
    frame_->pts = frames_++;
    encode(frame_);
  }

  void finish() override {
    encode(nullptr);  // drain the encoder
    check(av_write_trailer(container_), "finishing the container");
    check(avio_closep(&container_->pb), "closing");
    sync_file(temp_path_);
    if (std::rename(temp_path_.c_str(), path_.c_str()) != 0)
      throw InputError(path_, std::string("cannot write: ") + std::strerror(errno));
    temp_path_.clear();
    release();
  }

  int64_t frames_written() const override { return frames_; }

 private:
  void open(const Mp4Options& options) {
    if (!(options.fps > 0 && options.fps <= 1000))
      throw InputError("--fps: " + std::to_string(options.fps) + " is not a frame rate in (0, 1000]");
    if (options.crf < 0 || options.crf > 51)
      throw InputError("--crf: " + std::to_string(options.crf) + " is outside 0..51");
    av_log_set_level(AV_LOG_ERROR);
    const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
    if (codec == nullptr) codec = avcodec_find_encoder(AV_CODEC_ID_H264);
    if (codec == nullptr) throw std::runtime_error("this FFmpeg has no H.264 encoder");
    check(avformat_alloc_output_context2(&container_, nullptr, "mp4", temp_path_.c_str()), "mp4 muxer");
    stream_ = avformat_new_stream(container_, nullptr);
    codec_ = avcodec_alloc_context3(codec);
    if (stream_ == nullptr || codec_ == nullptr) throw std::bad_alloc();
    const AVRational rate = av_d2q(options.fps, 100000);
    codec_->width = padded_video_dimension(format_.width);
    codec_->height = padded_video_dimension(format_.height);
    codec_->pix_fmt = AV_PIX_FMT_YUV420P;
    codec_->framerate = rate;
    codec_->time_base = av_inv_q(rate);
    stream_->time_base = codec_->time_base;
    stream_->avg_frame_rate = rate;
    if (container_->oformat->flags & AVFMT_GLOBALHEADER) codec_->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    av_opt_set(codec_->priv_data, "crf", std::to_string(options.crf).c_str(), 0);
    check(avcodec_open2(codec_, codec, nullptr), "H.264 encoder");
    check(avcodec_parameters_from_context(stream_->codecpar, codec_), "stream parameters");
    const int io = avio_open(&container_->pb, temp_path_.c_str(), AVIO_FLAG_WRITE);
    if (io < 0) throw InputError(path_, "cannot write: " + av_error_text(io));
    check(avformat_write_header(container_, nullptr), "writing the header");

    frame_ = av_frame_alloc();
    packet_ = av_packet_alloc();
    if (frame_ == nullptr || packet_ == nullptr) throw std::bad_alloc();
    frame_->format = codec_->pix_fmt;
    frame_->width = codec_->width;
    frame_->height = codec_->height;
    check(av_frame_get_buffer(frame_, 0), "frame buffer");
    padded_.resize(static_cast<size_t>(codec_->width) * codec_->height * format_.channels);
    // Same size in and out: only the colour conversion (BT.601, as players assume for untagged SD video).
    scaler_ = sws_getContext(codec_->width, codec_->height, source_pixel_format(format_.channels),
                             codec_->width, codec_->height, AV_PIX_FMT_YUV420P,
                             SWS_BICUBIC | SWS_ACCURATE_RND, nullptr, nullptr, nullptr);
    if (scaler_ == nullptr) throw std::runtime_error("libswscale refused the conversion to yuv420p");
  }

  void encode(AVFrame* frame) {
    check(avcodec_send_frame(codec_, frame), "encoding");
    while (true) {
      const int got = avcodec_receive_packet(codec_, packet_);
      if (got == AVERROR(EAGAIN) || got == AVERROR_EOF) return;
      check(got, "encoding");
      av_packet_rescale_ts(packet_, codec_->time_base, stream_->time_base);
      packet_->stream_index = stream_->index;
      const int written = av_interleaved_write_frame(container_, packet_);
      if (written < 0) throw InputError(path_, "cannot write: " + av_error_text(written));
    }
  }

  void check(int result, const char* what) const {
    if (result < 0) throw std::runtime_error(path_ + ": " + what + ": " + av_error_text(result));
  }

  static void sync_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
  }

  // Frees everything; with a temp file still present (no finish), deletes it.
  void release() {
    if (scaler_) sws_freeContext(scaler_);
    scaler_ = nullptr;
    av_frame_free(&frame_);
    av_packet_free(&packet_);
    avcodec_free_context(&codec_);
    if (container_) {
      if (container_->pb) avio_closep(&container_->pb);
      avformat_free_context(container_);
      container_ = nullptr;
    }
    if (!temp_path_.empty()) {
      ::unlink(temp_path_.c_str());
      temp_path_.clear();
    }
  }

  std::string path_, temp_path_;
  FrameFormat format_;
  AVFormatContext* container_ = nullptr;
  AVStream* stream_ = nullptr;
  AVCodecContext* codec_ = nullptr;
  AVFrame* frame_ = nullptr;
  AVPacket* packet_ = nullptr;
  SwsContext* scaler_ = nullptr;
  std::vector<uint8_t> padded_;
  int64_t frames_ = 0;
};

}  // namespace

int padded_video_dimension(int size) { return size + (size & 1); }

std::unique_ptr<FrameWriter> open_mp4_writer(const std::string& path, const FrameFormat& format,
                                             const Mp4Options& options) {
  if (format.width < 1 || format.height < 1)
    throw InputError(path, "a video needs frames of at least 1x1 pixels");
  source_pixel_format(format.channels);
  return std::make_unique<Mp4Writer>(path, format, options);
}

}  // namespace stylescope
