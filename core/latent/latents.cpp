#include "core/latent/latents.h"

#include <cstring>

#include "core/io/errors.h"
#include "core/io/npy.h"
#include "core/latent/numpy_rng.h"
#include "core/model/model_file.h"
#include "core/util/int_list.h"
#ifdef STYLESCOPE_HAVE_ZIP
#include "core/io/zip_npz.h"
#endif

namespace stylescope {

torch::Tensor seed_z(uint32_t seed, int z_dim) {
  std::vector<double> z = seed_to_z(seed, z_dim);
  auto t = torch::empty({1, z_dim}, torch::kFloat64);
  std::memcpy(t.data_ptr<double>(), z.data(), z.size() * sizeof(double));
  return t;
}

torch::Tensor class_label(int c_dim, std::optional<int> class_idx) {
  if (c_dim == 0) {
    if (class_idx) throw InputError("--class: this model is not conditional (c_dim 0)");
    return {};
  }
  if (!class_idx)
    throw InputError("this model is conditional (" + std::to_string(c_dim) + " classes): give --class 0.." +
                     std::to_string(c_dim - 1));
  if (*class_idx < 0 || *class_idx >= c_dim)
    throw InputError("--class " + std::to_string(*class_idx) + " is outside 0.." + std::to_string(c_dim - 1));
  auto c = torch::zeros({1, c_dim});
  c[0][*class_idx] = 1.0f;
  return c;
}

torch::Tensor mix_styles(const torch::Tensor& row, const torch::Tensor& col, const std::vector<int>& styles) {
  auto out = row.clone();
  const int64_t layer_dim = row.dim() - 2;
  const int64_t num_ws = row.size(layer_dim);
  for (int s : styles) {
    if (s < 0 || s >= num_ws)
      throw InputError("--styles: layer " + std::to_string(s) + " is outside 0.." +
                       std::to_string(num_ws - 1));
    out.select(layer_dim, s).copy_(col.select(layer_dim, s));
  }
  return out;
}

std::vector<int> parse_layers(const std::string& text, int num_ws, const std::string& flag) {
  std::vector<int> layers;
  for (int64_t v : parse_int_list(text, flag, 1 << 20)) {
    if (v >= num_ws)
      throw InputError(flag + ": '" + text + "' names layer " + std::to_string(v) +
                       " but the model has layers 0.." + std::to_string(num_ws - 1));
    layers.push_back(static_cast<int>(v));
  }
  return layers;
}

torch::Tensor load_ws_file(const std::string& path, int num_ws, int w_dim) {
  RawTensor raw;
  const bool is_npz = path.size() > 4 && path.compare(path.size() - 4, 4, ".npz") == 0;
  if (is_npz) {
#ifdef STYLESCOPE_HAVE_ZIP
    auto arrays = read_npz(path);
    auto it = arrays.find("w");
    if (it == arrays.end()) throw InputError(path, "has no array 'w' (as the official projected_w.npz)");
    raw = it->second;
#else
    throw InputError(path, ".npz needs a build with libzip");
#endif
  } else {
    raw = read_npy(path);
  }
  const auto& s = raw.shape;
  const bool ok = (s.size() == 1 && s[0] == w_dim) || (s.size() == 2 && s[0] == num_ws && s[1] == w_dim) ||
                  (s.size() == 3 && s[1] == num_ws && s[2] == w_dim && s[0] > 0);
  if (!ok)
    throw InputError(path, "ws have shape " + shape_string(s) + ", expected [" + std::to_string(w_dim) +
                               "], [" + std::to_string(num_ws) + ", " + std::to_string(w_dim) + "] or [K, " +
                               std::to_string(num_ws) + ", " + std::to_string(w_dim) + "]");
  auto t = to_torch(raw);
  if (s.size() == 1) return t.reshape({1, 1, w_dim}).repeat({1, num_ws, 1});
  if (s.size() == 2) return t.unsqueeze(0);
  return t;
}

}  // namespace stylescope
