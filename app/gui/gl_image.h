#pragma once
// OpenGL side of the image view: the GL loader (glad) lives only in gl_image.cpp so it never meets the
// ImGui OpenGL3 backend's own loader in one translation unit.
#include <cstdint>
#include <string>
#include <vector>

namespace stylescope::gui {

bool load_gl_functions();  // after a context is current

// An RGBA8 texture filled through a pixel buffer object.
class GlImage {
 public:
  GlImage() = default;
  ~GlImage();
  GlImage(const GlImage&) = delete;
  GlImage& operator=(const GlImage&) = delete;
  // hwc uint8 with 1, 3 or 4 channels.
  void upload(const uint8_t* hwc, int width, int height, int channels);
  unsigned texture() const { return texture_; }
  // The texture's texels read back from OpenGL (RGBA rows, top row first): what the view really shows.
  std::vector<uint8_t> read_back() const;
  int width() const { return width_; }
  int height() const { return height_; }

 private:
  unsigned texture_ = 0, pbo_ = 0;
  int width_ = 0, height_ = 0;
};

// Starts a frame on the default framebuffer: viewport and background.
void clear_framebuffer(int width, int height);

// The default framebuffer as RGB rows, top row first.
std::vector<uint8_t> read_framebuffer(int width, int height);

}  // namespace stylescope::gui
