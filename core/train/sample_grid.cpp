#include "core/train/sample_grid.h"

#include <algorithm>
#include <map>

#include <ATen/CPUGeneratorImpl.h>

#include "core/io/image.h"

namespace stylescope::train {

namespace {

// A shuffled copy of `v` from a generator of its own (np.random.RandomState is not needed for parity here:
// the grid only has to be fixed for a run).
void shuffle(std::vector<int64_t>& v, at::Generator& gen) {
  if (v.size() < 2) return;
  auto perm = torch::randperm(static_cast<int64_t>(v.size()), gen, torch::kInt64);
  std::vector<int64_t> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = v[perm[i].item<int64_t>()];
  v.swap(out);
}

}  // namespace

SampleGrid setup_sample_grid(const ImageDataset& data, int z_dim, int c_dim, uint64_t seed, int max_cells) {
  const int res = data.info().resolution;
  SampleGrid g;
  g.gw = std::clamp(7680 / res, 7, 32);
  g.gh = std::clamp(4320 / res, 4, 32);
  if (max_cells > 0)
    while (g.gw * g.gh > max_cells && g.gw > 1 && g.gh > 1)
      g.gw = std::max(1, g.gw / 2), g.gh = std::max(1, g.gh / 2);
  at::Generator gen = at::detail::createCPUGenerator(seed);
  const int64_t n = data.size(), cells = static_cast<int64_t>(g.gw) * g.gh;
  if (data.info().label_dim == 0 || c_dim == 0) {
    std::vector<int64_t> all(n);
    for (int64_t i = 0; i < n; ++i) all[i] = i;
    shuffle(all, gen);
    for (int64_t i = 0; i < cells; ++i) g.real_indices.push_back(all[i % n]);
  } else {
    // Rows of one label each, labels in sorted order, as the official grid.
    std::map<std::vector<float>, std::vector<int64_t>> groups;
    for (int64_t i = 0; i < n; ++i) {
      torch::Tensor label = data.get(i).label.contiguous();
      std::vector<float> key(label.data_ptr<float>(), label.data_ptr<float>() + label.numel());
      std::reverse(key.begin(), key.end());
      groups[key].push_back(i);
    }
    std::vector<std::vector<int64_t>*> order;
    for (auto& [key, indices] : groups) shuffle(indices, gen), order.push_back(&indices);
    for (int y = 0; y < g.gh; ++y) {
      std::vector<int64_t>& indices = *order[y % order.size()];
      const size_t m = indices.size();
      for (int x = 0; x < g.gw; ++x) g.real_indices.push_back(indices[x % m]);
      std::rotate(indices.begin(), indices.begin() + (g.gw % m), indices.end());
    }
  }
  g.z = torch::randn({cells, z_dim}, gen, torch::kFloat32);
  std::vector<torch::Tensor> labels;
  for (int64_t idx : g.real_indices)
    labels.push_back(c_dim > 0 ? data.get(idx).label.to(torch::kFloat32) : torch::zeros({0}));
  g.c = torch::stack(labels);
  return g;
}

GridImage tile_float_images(const torch::Tensor& images, int gw, int gh) {
  const int64_t n = images.size(0), c = images.size(1), h = images.size(2), w = images.size(3);
  torch::Tensor u8 = torch::round((images.detach().to(torch::kCPU, torch::kFloat32) + 1) * 127.5)
                         .clamp(0, 255)
                         .to(torch::kUInt8);
  if (n < static_cast<int64_t>(gw) * gh)
    u8 = torch::cat({u8, torch::zeros({gw * gh - n, c, h, w}, torch::kUInt8)});
  // [gh, gw, C, H, W] -> [gh, H, gw, W, C]
  torch::Tensor tiled = u8.view({gh, gw, c, h, w}).permute({0, 3, 1, 4, 2}).contiguous();
  GridImage out;
  out.width = static_cast<int>(gw * w);
  out.height = static_cast<int>(gh * h);
  out.channels = static_cast<int>(c);
  out.pixels.assign(tiled.data_ptr<uint8_t>(), tiled.data_ptr<uint8_t>() + tiled.numel());
  return out;
}

GridImage reals_grid(const ImageDataset& data, const SampleGrid& grid) {
  std::vector<torch::Tensor> images;
  for (int64_t idx : grid.real_indices) images.push_back(data.get(idx).image.to(torch::kFloat32) / 127.5 - 1);
  return tile_float_images(torch::stack(images), grid.gw, grid.gh);
}

GridImage fakes_grid(Generator& G, const SampleGrid& grid, int batch) {
  torch::NoGradGuard no_grad;
  const bool was_training = G->is_training();
  G->eval();
  const torch::Device device =
      G->parameters().empty() ? torch::Device(torch::kCPU) : G->parameters()[0].device();
  ForwardOptions options;
  options.noise_mode = NoiseMode::Const;
  std::vector<torch::Tensor> images;
  for (int64_t i = 0; i < grid.z.size(0); i += batch) {
    const int64_t end = std::min<int64_t>(i + batch, grid.z.size(0));
    torch::Tensor c = grid.c.size(1) > 0 ? grid.c.slice(0, i, end).to(device) : torch::Tensor();
    images.push_back(G->forward(grid.z.slice(0, i, end).to(device), c, 1.0, std::nullopt, options).cpu());
  }
  G->train(was_training);
  return tile_float_images(torch::cat(images), grid.gw, grid.gh);
}

void write_grid_png(const std::string& path, const GridImage& grid) {
  write_png(path, grid.pixels.data(), grid.width, grid.height, grid.channels);
}

}  // namespace stylescope::train
