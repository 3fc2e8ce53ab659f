#pragma once
// OpenGL side of the image view: the GL loader (glad) lives only in gl_image.cpp so it never meets the
// ImGui OpenGL3 backend's own loader in one translation unit.
#include <cstdint>
#include <string>
#include <vector>

namespace stylescope::gui {

// A GL loader's get-proc-address (glfwGetProcAddress, eglGetProcAddress).
using GlProc = void (*)();
using GlProcLoader = GlProc (*)(const char* name);
bool load_gl_functions(GlProcLoader loader);  // after a context is current

// An RGBA8 texture filled through a pixel buffer object: from host memory, or in builds against a CUDA
// LibTorch straight from CUDA device memory (CUDA-GL interop).
class GlImage {
 public:
  GlImage() = default;
  ~GlImage();
  GlImage(const GlImage&) = delete;
  GlImage& operator=(const GlImage&) = delete;
  // hwc uint8 with 1 to 4 channels.
  void upload(const uint8_t* hwc, int width, int height, int channels);
  // width * height RGBA8 texels in the memory of CUDA device `cuda_device`, copied device to device into a
  // pixel buffer registered with CUDA, then into the texture: no trip through host memory. False when
  // interop is unavailable (a build without CUDA, a GL context on another GPU or in software): then
  // interop_error() says why, later calls return false at once, and the caller uploads a host copy.
  bool upload_device(const void* rgba, int width, int height, int cuda_device);
  static bool interop_compiled();
  // Deletes the texture, buffers and interop registration now (before the GL context goes); the image is
  // empty afterwards and may be uploaded again.
  void release();
  const std::string& interop_error() const { return interop_error_; }
  // How the last image reached the texture, for the Performance panel.
  const char* upload_path() const { return last_was_interop_ ? "CUDA-GL interop" : "PBO upload"; }
  unsigned texture() const { return texture_; }
  // The texture's texels read back from OpenGL (RGBA rows, top row first): what the view really shows.
  std::vector<uint8_t> read_back() const;
  int width() const { return width_; }
  int height() const { return height_; }

 private:
  void define_texture_from_bound_pbo(int width, int height);
  void release_interop();
  unsigned texture_ = 0, pbo_ = 0;
  int width_ = 0, height_ = 0;
  // The interop path's own pixel buffer (host uploads re-specify pbo_, which a registered buffer must not
  // see) and its CUDA registration (a cudaGraphicsResource_t; void* keeps CUDA out of this header).
  unsigned interop_pbo_ = 0;
  size_t interop_bytes_ = 0;
  void* interop_resource_ = nullptr;
  void* interop_stream_ = nullptr;  // a cudaStream_t of its own, so the copy never queues behind renders
  std::string interop_error_;
  bool last_was_interop_ = false;
};

// Waits until OpenGL has done everything queued (timings).
void finish_gl();

// Starts a frame on the default framebuffer: viewport and background.
void clear_framebuffer(int width, int height);

// The default framebuffer as RGB rows, top row first.
std::vector<uint8_t> read_framebuffer(int width, int height);

}  // namespace stylescope::gui
