#include <algorithm>
#include <cmath>
#include <set>

#include "core/io/errors.h"
#include "core/latent/directions.h"
#include "core/latent/latents.h"

namespace stylescope {

std::vector<int> all_layers(int64_t num_ws) {
  std::vector<int> layers(static_cast<size_t>(std::max<int64_t>(num_ws, 0)));
  for (size_t i = 0; i < layers.size(); ++i) layers[i] = static_cast<int>(i);
  return layers;
}

std::vector<int> parse_layer_range(const std::string& text, int64_t num_ws, const std::string& flag) {
  if (text == "all") return all_layers(num_ws);
  auto layers = parse_layers(text, static_cast<int>(num_ws), flag);
  std::sort(layers.begin(), layers.end());
  layers.erase(std::unique(layers.begin(), layers.end()), layers.end());
  return layers;
}

std::vector<DirectionEdit> parse_alpha_list(const std::string& text, int64_t count, const std::string& flag) {
  std::vector<DirectionEdit> edits;
  std::set<int> seen;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, end - start);
    const size_t colon = item.find(':');
    const auto bad = [&](const std::string& why) {
      return InputError(flag + ": '" + item + "' " + why +
                        " (expected INDEX:ALPHA pairs such as 0:2.5,3:-1)");
    };
    if (colon == std::string::npos) throw bad("has no ':'");
    DirectionEdit edit;
    try {
      size_t used = 0;
      const std::string index_text = item.substr(0, colon), alpha_text = item.substr(colon + 1);
      const long index = std::stol(index_text, &used);
      if (used != index_text.size() || index < 0) throw std::invalid_argument("index");
      edit.index = static_cast<int>(std::min<long>(index, 1L << 30));
      edit.alpha = std::stod(alpha_text, &used);
      if (used != alpha_text.size() || !std::isfinite(edit.alpha)) throw std::invalid_argument("alpha");
    } catch (const std::logic_error&) {
      throw bad("is not a number pair");
    }
    if (edit.index >= count)
      throw bad("names direction " + std::to_string(edit.index) + " but the set has directions 0.." +
                std::to_string(count - 1));
    if (!seen.insert(edit.index).second) throw bad("repeats a direction");
    edits.push_back(edit);
    start = end + 1;
  }
  return edits;
}

torch::Tensor apply_edits(const torch::Tensor& ws, const DirectionSet& set,
                          const std::vector<DirectionEdit>& edits,
                          const std::optional<std::vector<int>>& layers_override) {
  if (ws.dim() < 2 || ws.size(-1) != set.w_dim())
    throw InputError("directions have w_dim " + std::to_string(set.w_dim()) + " but the ws are " +
                     (ws.dim() ? "[..., " + std::to_string(ws.size(-1)) + "]" : std::string("a scalar")));
  const int64_t num_ws = ws.size(-2);
  auto out = ws.clone();
  for (const auto& edit : edits) {
    if (edit.index < 0 || edit.index >= set.size())
      throw InputError("direction " + std::to_string(edit.index) + " is outside the set's 0.." +
                       std::to_string(set.size() - 1));
    if (edit.alpha == 0.0) continue;  // keeps all-zero edits bit-identical
    const Direction& d = set.directions[static_cast<size_t>(edit.index)];
    const auto step = (set.vectors[edit.index] * (edit.alpha * d.scale)).to(out.device(), out.scalar_type());
    for (int layer : layers_override ? *layers_override : d.layers) {
      if (layer < 0 || layer >= num_ws)
        throw InputError("direction " + std::to_string(edit.index) + " edits layer " + std::to_string(layer) +
                         " but the ws have layers 0.." + std::to_string(num_ws - 1));
      out.select(-2, layer).add_(step);
    }
  }
  return out;
}

}  // namespace stylescope
