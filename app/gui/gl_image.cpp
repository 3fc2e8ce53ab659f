#include "app/gui/gl_image.h"

// glad must come before GLFW, which would otherwise pull in the system gl.h.
#include <glad/gl.h>

#include <GLFW/glfw3.h>

#include <cstring>

namespace stylescope::gui {

bool load_gl_functions() { return gladLoadGL(glfwGetProcAddress) != 0; }

GlImage::~GlImage() {
  if (pbo_) glDeleteBuffers(1, &pbo_);
  if (texture_) glDeleteTextures(1, &texture_);
}

void GlImage::upload(const uint8_t* hwc, int width, int height, int channels) {
  std::vector<uint8_t> rgba(static_cast<size_t>(width) * height * 4);
  for (size_t p = 0; p < static_cast<size_t>(width) * height; ++p) {
    const uint8_t* src = hwc + p * channels;
    uint8_t* dst = rgba.data() + p * 4;
    dst[0] = src[0];
    dst[1] = channels >= 3 ? src[1] : src[0];
    dst[2] = channels >= 3 ? src[2] : src[0];
    dst[3] = channels == 4 ? src[3] : (channels == 2 ? src[1] : 255);
  }
  if (!texture_) {
    glGenTextures(1, &texture_);
    glGenBuffers(1, &pbo_);
  }
  glBindBuffer(GL_PIXEL_UNPACK_BUFFER, pbo_);
  glBufferData(GL_PIXEL_UNPACK_BUFFER, static_cast<GLsizeiptr>(rgba.size()), nullptr, GL_STREAM_DRAW);
  if (void* dst = glMapBuffer(GL_PIXEL_UNPACK_BUFFER, GL_WRITE_ONLY)) {
    std::memcpy(dst, rgba.data(), rgba.size());
    glUnmapBuffer(GL_PIXEL_UNPACK_BUFFER);
  }
  glBindTexture(GL_TEXTURE_2D, texture_);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
  glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
  width_ = width;
  height_ = height;
}

std::vector<uint8_t> GlImage::read_back() const {
  std::vector<uint8_t> rgba(static_cast<size_t>(width_) * height_ * 4);
  if (!texture_) return rgba;
  glBindTexture(GL_TEXTURE_2D, texture_);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glGetTexImage(GL_TEXTURE_2D, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba.data());
  return rgba;
}

void clear_framebuffer(int width, int height) {
  glViewport(0, 0, width, height);
  glClearColor(0.09f, 0.09f, 0.10f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
}

std::vector<uint8_t> read_framebuffer(int width, int height) {
  std::vector<uint8_t> rows(static_cast<size_t>(width) * height * 3);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE, rows.data());
  std::vector<uint8_t> flipped(rows.size());
  const size_t stride = static_cast<size_t>(width) * 3;
  for (int y = 0; y < height; ++y)
    std::memcpy(flipped.data() + y * stride, rows.data() + (height - 1 - y) * stride, stride);
  return flipped;
}

}  // namespace stylescope::gui
