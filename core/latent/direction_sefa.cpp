// SeFa: closed-form factorization of the style affines (Shen & Zhou, "Closed-Form Factorization of Latent
// Semantics in GANs", CVPR 2021; their code's factorize_weight, re-derived here, not copied).
#include <algorithm>

#include "core/io/errors.h"
#include "core/latent/direction_compute.h"

namespace stylescope {

std::vector<StyleAffine> style_affines(Generator& generator) {
  std::vector<StyleAffine> out;
  auto& synthesis = generator->synthesis;
  int w_index = 0;
  for (auto& block : synthesis->blocks) {
    const std::string prefix = "synthesis.b" + std::to_string(block->resolution) + ".";
    int layer = w_index;
    if (block->conv0) out.push_back({layer++, prefix + "conv0.affine", block->conv0->affine->weight});
    out.push_back({layer, prefix + "conv1.affine", block->conv1->affine->weight});
    w_index += block->num_conv;
  }
  auto& last = synthesis->blocks.back();
  out.push_back({static_cast<int>(synthesis->num_ws) - 1,
                 "synthesis.b" + std::to_string(last->resolution) + ".torgb.affine",
                 last->torgb->affine->weight});
  return out;
}

void canonicalize_signs(torch::Tensor& vectors) {
  for (int64_t i = 0; i < vectors.size(0); ++i) {
    auto row = vectors[i];
    const int64_t at = row.abs().argmax().item<int64_t>();
    if (row[at].item<double>() < 0) row.neg_();
  }
}

DirectionSet sefa_directions(Generator& generator, const std::vector<int>& layers_in, int k) {
  torch::NoGradGuard no_grad;
  const int64_t num_ws = generator->synthesis->num_ws, w_dim = generator->synthesis->w_dim;
  if (k < 1 || k > w_dim)
    throw InputError("--k: " + std::to_string(k) + " directions asked, the model's w has " +
                     std::to_string(w_dim) + " dimensions");
  std::vector<int> layers = layers_in.empty() ? all_layers(num_ws) : layers_in;
  std::sort(layers.begin(), layers.end());
  layers.erase(std::unique(layers.begin(), layers.end()), layers.end());

  std::vector<torch::Tensor> rows;
  std::vector<std::string> names;
  for (const auto& affine : style_affines(generator)) {
    if (!std::binary_search(layers.begin(), layers.end(), affine.ws_index)) continue;
    auto w = affine.weight.detach().to(torch::kCPU, torch::kFloat64);
    rows.push_back(w / w.norm(2, {1}, true));
    names.push_back(affine.name);
  }
  if (rows.empty()) throw InputError("--layers: no style layer selected");
  const auto a = torch::cat(rows, 0);
  // AᵀA is w_dim × w_dim and symmetric: eigh, ascending; SeFa's np.linalg.eig leaves the order to LAPACK, the
  // issue (and every use of the result) wants the largest first.
  auto [eigenvalues, eigenvectors] = torch::linalg_eigh(a.t().mm(a), "L");
  const auto order = torch::arange(w_dim - 1, w_dim - 1 - k, -1, torch::kLong);
  auto vectors = eigenvectors.t().index_select(0, order).contiguous();
  canonicalize_signs(vectors);
  const auto values = eigenvalues.index_select(0, order);

  DirectionSet set;
  set.method = "sefa";
  set.scale_unit = "w";
  set.num_ws = num_ws;
  set.vectors = vectors.to(torch::kFloat32).contiguous();
  for (int i = 0; i < k; ++i) {
    Direction d;
    d.layers = layers;
    d.eigenvalue = values[i].item<double>();
    set.directions.push_back(d);
  }
  set.details = {{"factorized_layers", layers},
                 {"affines", names},
                 {"rows", a.size(0)},
                 {"trace", eigenvalues.sum().item<double>()}};
  return set;
}

}  // namespace stylescope
