#include "app/gui/gl_image.h"

// glad must come before anything that includes the system gl.h (cuda_gl_interop.h does).
#include <glad/gl.h>

#ifdef STYLESCOPE_HAVE_CUDA
#include <cuda_gl_interop.h>
#include <cuda_runtime.h>
#endif

#include <cstring>

#include "core/io/image_convert.h"

namespace stylescope::gui {

bool load_gl_functions(GlProcLoader loader) { return gladLoadGL(loader) != 0; }

GlImage::~GlImage() { release(); }

void GlImage::release() {
  release_interop();
  if (pbo_) glDeleteBuffers(1, &pbo_);
  if (texture_) glDeleteTextures(1, &texture_);
  pbo_ = texture_ = 0;
  width_ = height_ = 0;
}

void GlImage::define_texture_from_bound_pbo(int width, int height) {
  glBindTexture(GL_TEXTURE_2D, texture_);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
  glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
  width_ = width;
  height_ = height;
}

void GlImage::upload(const uint8_t* hwc, int width, int height, int channels) {
  const auto rgba = channels_to_rgba(hwc, static_cast<size_t>(width) * height, channels);
  if (!texture_) glGenTextures(1, &texture_);
  if (!pbo_) glGenBuffers(1, &pbo_);
  glBindBuffer(GL_PIXEL_UNPACK_BUFFER, pbo_);
  glBufferData(GL_PIXEL_UNPACK_BUFFER, static_cast<GLsizeiptr>(rgba.size()), nullptr, GL_STREAM_DRAW);
  if (void* dst = glMapBuffer(GL_PIXEL_UNPACK_BUFFER, GL_WRITE_ONLY)) {
    std::memcpy(dst, rgba.data(), rgba.size());
    glUnmapBuffer(GL_PIXEL_UNPACK_BUFFER);
  }
  define_texture_from_bound_pbo(width, height);
  last_was_interop_ = false;
}

#ifdef STYLESCOPE_HAVE_CUDA

bool GlImage::interop_compiled() { return true; }

void GlImage::release_interop() {
  if (interop_resource_)
    cudaGraphicsUnregisterResource(static_cast<cudaGraphicsResource_t>(interop_resource_));
  interop_resource_ = nullptr;
  if (interop_stream_) cudaStreamDestroy(static_cast<cudaStream_t>(interop_stream_));
  interop_stream_ = nullptr;
  if (interop_pbo_) glDeleteBuffers(1, &interop_pbo_);
  interop_pbo_ = 0;
  interop_bytes_ = 0;
}

bool GlImage::upload_device(const void* rgba, int width, int height, int cuda_device) {
  if (!interop_error_.empty()) return false;
  // Every failure below disables interop for this image: the view falls back to host uploads for good
  // rather than retrying a broken path each frame.
  auto fail = [&](const char* what, cudaError_t e) {
    interop_error_ = std::string(what) + ": " + cudaGetErrorString(e);
    cudaGetLastError();  // clears the sticky non-fatal error
    release_interop();
    return false;
  };
  if (cudaError_t e = cudaSetDevice(cuda_device); e != cudaSuccess) return fail("cudaSetDevice", e);
  const size_t bytes = static_cast<size_t>(width) * height * 4;
  if (!texture_) glGenTextures(1, &texture_);
  if (bytes != interop_bytes_) {
    release_interop();
    // The renderer's kernels run on LibTorch's stream (the legacy default one), where the next render is
    // often queued already: a non-blocking stream of our own never waits behind it. The frame itself is
    // complete, since the renderer synchronised before handing it over.
    cudaStream_t stream = nullptr;
    if (cudaError_t e = cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking); e != cudaSuccess)
      return fail("cudaStreamCreateWithFlags", e);
    interop_stream_ = stream;
    glGenBuffers(1, &interop_pbo_);
    glBindBuffer(GL_PIXEL_UNPACK_BUFFER, interop_pbo_);
    glBufferData(GL_PIXEL_UNPACK_BUFFER, static_cast<GLsizeiptr>(bytes), nullptr, GL_STREAM_DRAW);
    glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
    cudaGraphicsResource_t resource = nullptr;
    if (cudaError_t e =
            cudaGraphicsGLRegisterBuffer(&resource, interop_pbo_, cudaGraphicsRegisterFlagsWriteDiscard);
        e != cudaSuccess)
      return fail("cudaGraphicsGLRegisterBuffer", e);
    interop_resource_ = resource;
    interop_bytes_ = bytes;
  }
  auto resource = static_cast<cudaGraphicsResource_t>(interop_resource_);
  auto stream = static_cast<cudaStream_t>(interop_stream_);
  if (cudaError_t e = cudaGraphicsMapResources(1, &resource, stream); e != cudaSuccess)
    return fail("cudaGraphicsMapResources", e);
  void* mapped = nullptr;
  size_t mapped_bytes = 0;
  cudaError_t e = cudaGraphicsResourceGetMappedPointer(&mapped, &mapped_bytes, resource);
  if (e == cudaSuccess && mapped_bytes < bytes) e = cudaErrorInvalidValue;
  if (e == cudaSuccess) e = cudaMemcpyAsync(mapped, rgba, bytes, cudaMemcpyDeviceToDevice, stream);
  const cudaError_t unmapped = cudaGraphicsUnmapResources(1, &resource, stream);
  // Unmapping orders OpenGL's use of the buffer after the copy; waiting as well lets the frame's tensor be
  // freed as soon as this returns.
  if (e == cudaSuccess && unmapped == cudaSuccess) e = cudaStreamSynchronize(stream);
  if (e != cudaSuccess) return fail("copying into the registered pixel buffer", e);
  if (unmapped != cudaSuccess) return fail("cudaGraphicsUnmapResources", unmapped);
  glBindBuffer(GL_PIXEL_UNPACK_BUFFER, interop_pbo_);
  define_texture_from_bound_pbo(width, height);
  last_was_interop_ = true;
  return true;
}

#else

bool GlImage::interop_compiled() { return false; }

void GlImage::release_interop() {}

bool GlImage::upload_device(const void*, int, int, int) {
  if (interop_error_.empty()) interop_error_ = "this build has no CUDA";
  return false;
}

#endif

std::vector<uint8_t> GlImage::read_back() const {
  std::vector<uint8_t> rgba(static_cast<size_t>(width_) * height_ * 4);
  if (!texture_) return rgba;
  glBindTexture(GL_TEXTURE_2D, texture_);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glGetTexImage(GL_TEXTURE_2D, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba.data());
  return rgba;
}

void finish_gl() { glFinish(); }

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
