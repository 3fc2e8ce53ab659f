// The CUDA-GL interop check, run by scripts/device/check on a machine with an NVIDIA GPU (never by ctest:
// CI has no GPU). It makes an OpenGL 3.3 context on the GPU through EGL's device platform (no display
// needed), renders a frame on CUDA and keeps it there, copies it into a view texture with
// GlImage::upload_device, reads the texture back and compares it with the same frame copied to the host and
// uploaded through the PBO path, and with the host conversion of the same render. Then it times both paths on
// a 1024x1024 image. Prints one JSON object; exit 0 when every comparison is exact, 1 otherwise.
//   interop_check MODEL [MODEL...]
#define EGL_NO_X11
#include <EGL/egl.h>
#include <EGL/eglext.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/gui/gl_image.h"
#include "core/explore/frame_renderer.h"
#include "core/model/model_file.h"

namespace {

using namespace stylescope;

std::string make_context() {
  auto query_devices = reinterpret_cast<PFNEGLQUERYDEVICESEXTPROC>(eglGetProcAddress("eglQueryDevicesEXT"));
  auto platform_display =
      reinterpret_cast<PFNEGLGETPLATFORMDISPLAYEXTPROC>(eglGetProcAddress("eglGetPlatformDisplayEXT"));
  if (!query_devices || !platform_display) throw std::runtime_error("EGL has no device platform");
  EGLDeviceEXT devices[16];
  EGLint count = 0;
  if (!query_devices(16, devices, &count) || count == 0) throw std::runtime_error("EGL finds no devices");
  for (EGLint i = 0; i < count; ++i) {
    EGLDisplay display = platform_display(EGL_PLATFORM_DEVICE_EXT, devices[i], nullptr);
    EGLint major = 0, minor = 0;
    if (display == EGL_NO_DISPLAY || !eglInitialize(display, &major, &minor)) continue;
    const char* vendor = eglQueryString(display, EGL_VENDOR);
    if (!vendor || !std::strstr(vendor, "NVIDIA")) continue;
    const EGLint config_attribs[] = {EGL_SURFACE_TYPE,
                                     EGL_PBUFFER_BIT,
                                     EGL_RENDERABLE_TYPE,
                                     EGL_OPENGL_BIT,
                                     EGL_RED_SIZE,
                                     8,
                                     EGL_GREEN_SIZE,
                                     8,
                                     EGL_BLUE_SIZE,
                                     8,
                                     EGL_NONE};
    EGLConfig config;
    EGLint configs = 0;
    if (!eglChooseConfig(display, config_attribs, &config, 1, &configs) || configs == 0) continue;
    const EGLint pbuffer_attribs[] = {EGL_WIDTH, 16, EGL_HEIGHT, 16, EGL_NONE};
    EGLSurface surface = eglCreatePbufferSurface(display, config, pbuffer_attribs);
    eglBindAPI(EGL_OPENGL_API);
    const EGLint context_attribs[] = {EGL_CONTEXT_MAJOR_VERSION,
                                      3,
                                      EGL_CONTEXT_MINOR_VERSION,
                                      3,
                                      EGL_CONTEXT_OPENGL_PROFILE_MASK,
                                      EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT,
                                      EGL_NONE};
    EGLContext context = eglCreateContext(display, config, EGL_NO_CONTEXT, context_attribs);
    if (context == EGL_NO_CONTEXT || !eglMakeCurrent(display, surface, surface, context)) continue;
    if (!gui::load_gl_functions(eglGetProcAddress)) throw std::runtime_error("cannot load OpenGL functions");
    return vendor;
  }
  throw std::runtime_error("no NVIDIA OpenGL context through EGL");
}

double median_ms(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

template <class F>
double time_ms(F&& f, int iters) {
  std::vector<double> ms;
  for (int i = 0; i < iters + 3; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    gui::finish_gl();
    const double t = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (i >= 3) ms.push_back(t);  // warm-up
  }
  return median_ms(ms);
}

}  // namespace

int main(int argc, char** argv) {
  nlohmann::json out;
  bool all_exact = true;
  try {
    if (argc < 2) throw std::runtime_error("usage: interop_check MODEL [MODEL...]");
    out["egl_vendor"] = make_context();
    const torch::Device cuda(torch::kCUDA, 0);
    for (int a = 1; a < argc; ++a) {
      auto model = std::make_shared<LoadedModel>(load_model(argv[a]));
      FrameRenderer renderer(model, cuda, ForwardOptions{});
      nlohmann::json m;
      m["model"] = argv[a];
      for (uint32_t seed : {0u, 7u}) {
        RenderRequest r;
        r.seeds = {{seed, 1.0}};
        r.psi = 0.7;
        RenderedFrame kept = renderer.render(r, true);
        RenderedFrame host = renderer.render(r, false);
        if (!kept.error.empty() || !host.error.empty()) throw std::runtime_error(kept.error + host.error);
        if (!kept.device_rgba.defined() || !kept.device_rgba.is_cuda() || !kept.pixels.empty())
          throw std::runtime_error("the frame did not stay on the GPU");
        gui::GlImage via_interop, via_pbo;
        const bool interop =
            via_interop.upload_device(kept.device_rgba.data_ptr(), kept.width, kept.height, 0);
        if (!interop) throw std::runtime_error("upload_device failed: " + via_interop.interop_error());
        RenderedFrame downloaded = kept;
        downloaded.download();
        via_pbo.upload(downloaded.pixels.data(), kept.width, kept.height, kept.channels);
        const bool same_texture = via_interop.read_back() == via_pbo.read_back();
        const bool same_as_host_conversion = downloaded.pixels == host.pixels;
        all_exact = all_exact && same_texture && same_as_host_conversion;
        m["seeds"].push_back({{"seed", seed},
                              {"size", std::to_string(kept.width) + "x" + std::to_string(kept.height) + "x" +
                                           std::to_string(kept.channels)},
                              {"interop_texture_equals_pbo_texture", same_texture},
                              {"device_conversion_equals_host_conversion", same_as_host_conversion}});
      }
      out["models"].push_back(m);
    }
    // The two display paths on a 1024x1024 RGBA image already on the GPU (what a 1024 model's frame is).
    auto big =
        torch::randint(0, 256, {1024, 1024, 4}, torch::TensorOptions().dtype(torch::kUInt8).device(cuda));
    torch::cuda::synchronize();
    gui::GlImage a, b;
    const double interop_ms = time_ms([&] { a.upload_device(big.data_ptr(), 1024, 1024, 0); }, 50);
    const double host_ms = time_ms(
        [&] {
          auto host = big.to(torch::kCPU);
          b.upload(host.data_ptr<uint8_t>(), 1024, 1024, 4);
        },
        50);
    const bool big_same = a.read_back() == b.read_back();
    all_exact = all_exact && big_same;
    out["display_1024"] = {
        {"interop_ms_median", interop_ms}, {"host_pbo_ms_median", host_ms}, {"textures_equal", big_same}};
    out["all_exact"] = all_exact;
  } catch (const std::exception& e) {
    out["error"] = e.what();
    all_exact = false;
  }
  std::cout << out.dump(2) << std::endl;
  return all_exact ? 0 : 1;
}
