#include "core/model/model_hash.h"

#include <algorithm>

#include "core/model/generator.h"
#include "core/util/sha256.h"

namespace stylescope {

std::string model_hash(torch::nn::Module& generator) {
  auto tensors = state_dict(generator);
  tensors.erase(std::remove_if(tensors.begin(), tensors.end(),
                               [](const auto& item) {
                                 return item.first.rfind("mapping.", 0) != 0 &&
                                        item.first.rfind("synthesis.", 0) != 0;
                               }),
                tensors.end());
  std::sort(tensors.begin(), tensors.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  Sha256 hash;
  for (const auto& [name, tensor] : tensors) {
    std::string header = name + "\n";
    for (int64_t d = 0; d < tensor.dim(); ++d) header += (d ? "," : "") + std::to_string(tensor.size(d));
    header += "\n";
    hash.update(header);
    // x86 and ARM are little-endian, which is the byte order the definition asks for.
    const auto data = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    hash.update(data.data_ptr<float>(), static_cast<size_t>(data.numel()) * sizeof(float));
  }
  return hash.hex_digest();
}

}  // namespace stylescope
