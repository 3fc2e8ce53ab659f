#pragma once
// Test helper: decodes a video file again with libavformat/libavcodec (only in builds with video) and
// compares luma, so the writer's tests see what a player would.
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/pixdesc.h>
}

namespace stylescope::test {

struct DecodedVideo {
  std::string codec;
  int width = 0, height = 0;
  double fps = 0;
  std::string pixel_format;
  std::vector<std::vector<uint8_t>> luma;  // per frame, width * height (the Y plane, BT.601 limited range)
};

inline DecodedVideo decode_video(const std::string& path) {
  DecodedVideo out;
  AVFormatContext* fmt = nullptr;
  if (avformat_open_input(&fmt, path.c_str(), nullptr, nullptr) < 0)
    throw std::runtime_error("cannot open " + path);
  if (avformat_find_stream_info(fmt, nullptr) < 0) throw std::runtime_error("no stream info in " + path);
  const AVCodec* codec = nullptr;
  const int index = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
  if (index < 0) throw std::runtime_error("no video stream in " + path);
  AVStream* stream = fmt->streams[index];
  AVCodecContext* ctx = avcodec_alloc_context3(codec);
  avcodec_parameters_to_context(ctx, stream->codecpar);
  if (avcodec_open2(ctx, codec, nullptr) < 0) throw std::runtime_error("cannot open the decoder");
  out.codec = codec->name;
  out.width = ctx->width;
  out.height = ctx->height;
  out.fps = av_q2d(stream->avg_frame_rate);
  AVPacket* packet = av_packet_alloc();
  AVFrame* frame = av_frame_alloc();
  auto drain = [&] {
    while (avcodec_receive_frame(ctx, frame) == 0) {
      out.pixel_format = av_get_pix_fmt_name(static_cast<AVPixelFormat>(frame->format));
      std::vector<uint8_t> y(static_cast<size_t>(frame->width) * frame->height);
      for (int r = 0; r < frame->height; ++r)
        std::copy_n(frame->data[0] + static_cast<size_t>(r) * frame->linesize[0], frame->width,
                    y.data() + static_cast<size_t>(r) * frame->width);
      out.luma.push_back(std::move(y));
    }
  };
  while (av_read_frame(fmt, packet) >= 0) {
    if (packet->stream_index == index) {
      avcodec_send_packet(ctx, packet);
      drain();
    }
    av_packet_unref(packet);
  }
  avcodec_send_packet(ctx, nullptr);
  drain();
  av_frame_free(&frame);
  av_packet_free(&packet);
  avcodec_free_context(&ctx);
  avformat_close_input(&fmt);
  return out;
}

// BT.601 limited-range luma of an 8-bit RGB (or gray: all three the same) pixel, as an H.264 player
// reads Y. Computed independently of libswscale.
inline double bt601_luma(double r, double g, double b) {
  return 16.0 + 219.0 * (0.299 * r + 0.587 * g + 0.114 * b) / 255.0;
}

// PSNR in dB of the decoded Y plane (its top-left width x height) against the luma of HWC pixels.
inline double luma_psnr(const std::vector<uint8_t>& decoded_y, int decoded_width, const uint8_t* hwc,
                        int width, int height, int channels) {
  double se = 0;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const uint8_t* p = hwc + (static_cast<size_t>(y) * width + x) * channels;
      const double expected = channels >= 3 ? bt601_luma(p[0], p[1], p[2]) : bt601_luma(p[0], p[0], p[0]);
      const double d = decoded_y[static_cast<size_t>(y) * decoded_width + x] - expected;
      se += d * d;
    }
  const double mse = se / (static_cast<double>(width) * height);
  return mse == 0 ? 99.0 : 10.0 * std::log10(255.0 * 255.0 / mse);
}

}  // namespace stylescope::test
