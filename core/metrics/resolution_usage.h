#pragma once
// Resolution usage (StyleGAN2 paper, Fig. 8): how much each resolution's ToRGB output contributes to the
// final image of a `skip` generator. Each block's ToRGB output is upsampled to the final resolution with
// the generator's own skip upsampling (so the upsampled outputs sum exactly to the image); its
// contribution is its standard deviation over pixels and channels, divided by the sum over resolutions.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/model/generator.h"

namespace stylescope {

struct ResolutionContributions {
  std::vector<int> resolutions;  // 4, 8, ..., img_resolution
  std::vector<double> share;     // per resolution, sums to 1
  // The skip sum up to each resolution, upsampled to the final one: [R, C, H, W] float32 for one sample
  // (the last entry is the image itself). Only filled by contributions_of_ws.
  torch::Tensor partial_images;
};

// A skip generator's per-block outputs as ForwardOptions::observe names them: "bR.torgb" (block R's ToRGB
// output, torgb true) and "bR.img" (the skip sum after block R, torgb false); nullopt for any other layer.
struct SkipBlockOutput {
  int resolution = 0;
  bool torgb = false;
};
std::optional<SkipBlockOutput> parse_skip_block_output(const std::string& layer_name);

// From what a caller observed itself during one synthesis forward pass (the explorer's renderer): each
// block's ToRGB output ("bR.torgb", [1, C, R, R]) by resolution R. Fills resolutions and share only.
ResolutionContributions contributions_of_torgb(const std::map<int, torch::Tensor>& torgb, int img_resolution);

// A block's output ([N, C, R, R]) brought to img_resolution with the skip generator's own upsampling.
torch::Tensor skip_upsample(const torch::Tensor& x, int img_resolution);

// One latent: ws [1, num_ws, w_dim]. UnsupportedError for a generator that is not `skip`.
ResolutionContributions contributions_of_ws(Generator& generator, const torch::Tensor& ws,
                                            const ForwardOptions& options);

// The mean share over `ws` [N, num_ws, w_dim], computed in batches; `progress(done)` after each batch
// (it may throw to cancel).
ResolutionContributions mean_contributions(Generator& generator, const torch::Tensor& ws,
                                           const ForwardOptions& options, int64_t batch,
                                           const std::function<void(int64_t)>& progress = {});

}  // namespace stylescope
