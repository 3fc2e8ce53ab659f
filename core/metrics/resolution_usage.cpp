#include "core/metrics/resolution_usage.h"

#include <map>
#include <string>

#include "core/io/errors.h"
#include "core/model/ops.h"

namespace stylescope {
namespace {

// Runs the synthesis network on `ws` and returns, per block resolution, its ToRGB output and the skip sum
// after it, both upsampled to the final resolution ([N, C, H, W] each).
struct SkipOutputs {
  std::vector<int> resolutions;
  std::vector<torch::Tensor> torgb, partial;
};

SkipOutputs skip_outputs(Generator& generator, const torch::Tensor& ws, const ForwardOptions& options) {
  const GeneratorConfig& cfg = generator->config;
  if (cfg.architecture != Architecture::Skip)
    throw UnsupportedError("resolution usage needs a 'skip' generator (this one is '" +
                           std::string(architecture_name(cfg.architecture)) + "')");
  std::map<int, torch::Tensor> torgb, partial;
  ForwardOptions observed = options;
  observed.observe = [&](const std::string& name, const torch::Tensor& t) {
    if (const auto block = parse_skip_block_output(name))
      (block->torgb ? torgb : partial)[block->resolution] = t.detach().to(torch::kFloat32).clone();
  };
  torch::NoGradGuard no_grad;
  generator->synthesis->forward(ws, observed);
  SkipOutputs out;
  for (auto& [res, y] : torgb) {
    out.resolutions.push_back(res);
    out.torgb.push_back(skip_upsample(y, cfg.img_resolution).cpu());
    out.partial.push_back(skip_upsample(partial.at(res), cfg.img_resolution).cpu());
  }
  return out;
}

// Per-sample shares [N, R]: each upsampled ToRGB output's standard deviation over pixels and channels,
// over their sum.
torch::Tensor shares(const SkipOutputs& outputs) {
  std::vector<torch::Tensor> stds;
  for (const auto& up : outputs.torgb) stds.push_back(up.flatten(1).to(torch::kFloat64).std(1));
  auto s = torch::stack(stds, 1);
  return s / s.sum(1, true);
}

std::vector<double> to_vector(const torch::Tensor& t) {
  auto c = t.contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

}  // namespace

std::optional<SkipBlockOutput> parse_skip_block_output(const std::string& layer_name) {
  const auto dot = layer_name.find('.');
  if (layer_name.size() < 2 || layer_name[0] != 'b' || dot == std::string::npos || dot < 2)
    return std::nullopt;
  const std::string digits = layer_name.substr(1, dot - 1), what = layer_name.substr(dot + 1);
  if (digits.find_first_not_of("0123456789") != std::string::npos || (what != "torgb" && what != "img"))
    return std::nullopt;
  return SkipBlockOutput{std::stoi(digits), what == "torgb"};
}

torch::Tensor skip_upsample(const torch::Tensor& x, int img_resolution) {
  if (x.size(2) >= img_resolution) return x;
  const auto filter = ops::setup_filter(torch::TensorOptions().device(x.device()));
  torch::Tensor up = x;
  for (int64_t r = x.size(2); r < img_resolution; r *= 2) up = ops::upsample2d(up, filter);
  return up;
}

ResolutionContributions contributions_of_torgb(const std::map<int, torch::Tensor>& torgb,
                                               int img_resolution) {
  SkipOutputs outputs;
  for (const auto& [res, y] : torgb) {
    outputs.resolutions.push_back(res);
    outputs.torgb.push_back(skip_upsample(y.to(torch::kFloat32), img_resolution).cpu());
  }
  ResolutionContributions c;
  c.resolutions = outputs.resolutions;
  if (!outputs.torgb.empty()) c.share = to_vector(shares(outputs)[0]);
  return c;
}

ResolutionContributions contributions_of_ws(Generator& generator, const torch::Tensor& ws,
                                            const ForwardOptions& options) {
  const SkipOutputs outputs = skip_outputs(generator, ws.narrow(0, 0, 1), options);
  ResolutionContributions c;
  c.resolutions = outputs.resolutions;
  c.share = to_vector(shares(outputs)[0]);
  std::vector<torch::Tensor> partial;
  for (const auto& p : outputs.partial) partial.push_back(p[0]);
  c.partial_images = torch::stack(partial);
  return c;
}

ResolutionContributions mean_contributions(Generator& generator, const torch::Tensor& ws,
                                           const ForwardOptions& options, int64_t batch,
                                           const std::function<void(int64_t)>& progress) {
  const int64_t n = ws.size(0);
  if (n < 1) throw InputError("resolution usage needs at least one sample");
  torch::Tensor sum;
  ResolutionContributions c;
  for (int64_t start = 0; start < n; start += batch) {
    const int64_t count = std::min(batch, n - start);
    const SkipOutputs outputs = skip_outputs(generator, ws.narrow(0, start, count), options);
    c.resolutions = outputs.resolutions;
    const auto s = shares(outputs).sum(0);
    sum = sum.defined() ? sum + s : s;
    if (progress) progress(start + count);
  }
  c.share = to_vector(sum / static_cast<double>(n));
  return c;
}

}  // namespace stylescope
