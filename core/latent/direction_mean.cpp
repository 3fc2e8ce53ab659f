// A direction from two sets of ws: the difference of their means (e.g. smiling minus neutral faces).
#include "core/io/errors.h"
#include "core/latent/direction_compute.h"

namespace stylescope {

namespace {

torch::Tensor mean_w(const torch::Tensor& ws, const char* which) {
  if (ws.dim() < 2 || ws.dim() > 3 || ws.size(0) == 0)
    throw InputError(std::string("mean difference: set ") + which +
                     " must be ws [N, w_dim] or [N, num_ws, w_dim]");
  auto rows = ws.detach().to(torch::kCPU, torch::kFloat64);
  return rows.reshape({-1, rows.size(-1)}).mean(0);
}

}  // namespace

DirectionSet mean_difference_direction(const torch::Tensor& ws_a, const torch::Tensor& ws_b, int64_t num_ws,
                                       const std::vector<int>& edit_layers) {
  const auto a = mean_w(ws_a, "A"), b = mean_w(ws_b, "B");
  if (a.size(0) != b.size(0))
    throw InputError("mean difference: the two sets have w_dim " + std::to_string(a.size(0)) + " and " +
                     std::to_string(b.size(0)));
  const auto diff = b - a;
  const double length = diff.norm().item<double>();
  if (!(length > 0)) throw InputError("mean difference: the two sets have the same mean w");
  DirectionSet set;
  set.method = "mean-difference";
  set.scale_unit = "mean-difference";
  set.num_ws = num_ws;
  set.vectors = (diff / length).to(torch::kFloat32).unsqueeze(0).contiguous();
  Direction d;
  d.layers = edit_layers.empty() ? all_layers(num_ws) : edit_layers;
  d.scale = length;
  set.directions.push_back(d);
  set.details = {{"count_a", ws_a.size(0)}, {"count_b", ws_b.size(0)}, {"distance", length}};
  return set;
}

}  // namespace stylescope
