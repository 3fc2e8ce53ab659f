#include "core/project/projection_outputs.h"

#include <filesystem>
#include <iostream>

#include "core/io/image_convert.h"
#include "core/io/npy.h"
#include "core/io/zip_npz.h"
#include "core/util/atomic_file.h"

namespace stylescope {

std::vector<uint8_t> render_ws_uint8(Generator& G, const torch::Tensor& ws) {
  torch::NoGradGuard no_grad;
  ForwardOptions fwd;
  fwd.noise_mode = NoiseMode::Const;
  const auto device = G->mapping->w_avg.device();
  auto img = G->synthesis->forward(ws.to(device), fwd)[0].to(torch::kCPU, torch::kFloat32).contiguous();
  return chw_to_hwc_uint8(img.data_ptr<float>(), static_cast<int>(img.size(0)), static_cast<int>(img.size(1)),
                          static_cast<int>(img.size(2)));
}

std::string write_projection_outputs(const std::string& dir, const Image8& target, Generator& G,
                                     const torch::Tensor& ws) {
  ensure_directory(dir);
  write_png(dir + "/target.png", target);
  const auto& cfg = G->config;
  const auto proj = render_ws_uint8(G, ws);
  write_png(dir + "/proj.png", proj.data(), cfg.img_resolution, cfg.img_resolution, cfg.img_channels);
  auto w = ws.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  const TensorRef ref{DType::Float32, w.sizes().vec(), w.data_ptr()};
#ifdef STYLESCOPE_HAVE_ZIP
  write_npz(dir + "/projected_w.npz", {{"w", ref}});
  return dir + "/projected_w.npz";
#else
  std::cerr << "warning: this build has no .npz support (libzip): writing projected_w.npy instead\n";
  write_npy(dir + "/projected_w.npy", ref);
  return dir + "/projected_w.npy";
#endif
}

bool holds_projection(const std::string& dir) {
  std::error_code ec;
  return std::filesystem::exists(dir + "/projected_w.npz", ec) ||
         std::filesystem::exists(dir + "/projected_w.npy", ec);
}

}  // namespace stylescope
