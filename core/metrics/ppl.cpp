#include "core/metrics/ppl.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/io/errors.h"
#include "core/model/noise_layers.h"
#include "core/render/seeded_generator.h"
#include "core/train/training_networks.h"

namespace stylescope {
namespace {

// Spherical interpolation of a batch of vectors, as the official slerp() computes it.
torch::Tensor slerp(torch::Tensor a, torch::Tensor b, const torch::Tensor& t) {
  a = a / a.norm(2, -1, true);
  b = b / b.norm(2, -1, true);
  auto d = (a * b).sum(-1, true);
  auto p = t * torch::acos(d);
  auto c = b - d * a;
  c = c / c.norm(2, -1, true);
  d = a * torch::cos(p) + c * torch::sin(p);
  return d / d.norm(2, -1, true);
}

}  // namespace

const std::vector<std::string>& ppl_metric_names() {
  static const std::vector<std::string> names{"ppl_zfull", "ppl_wfull", "ppl_zend", "ppl_wend", "ppl2_wend"};
  return names;
}

PplSettings ppl_settings(const std::string& metric) {
  PplSettings s;
  s.metric = metric;
  if (metric == "ppl_zfull") {
    s.space_w = false, s.sampling_full = true;
  } else if (metric == "ppl_wfull") {
    s.sampling_full = true;
  } else if (metric == "ppl_zend") {
    s.space_w = false;
  } else if (metric == "ppl_wend") {
  } else if (metric == "ppl2_wend") {
    s.crop = false;
  } else {
    std::string names;
    for (const auto& n : ppl_metric_names()) names += (names.empty() ? "" : ", ") + n;
    throw InputError("--metric: '" + metric + "' is not one of " + names);
  }
  return s;
}

torch::Tensor ppl_batch(Generator& G, ImageDistance& lpips, const PplSettings& s, const torch::Tensor& c,
                        at::Generator& rng) {
  torch::NoGradGuard no_grad;
  const auto& cfg = G->config;
  const auto options = G->mapping->w_avg.options();
  const int64_t n = s.batch;
  auto t = torch::rand({n}, rng, options) * (s.sampling_full ? 1 : 0);
  auto z = torch::randn({n * 2, cfg.z_dim}, rng, options);
  auto z0 = z.narrow(0, 0, n), z1 = z.narrow(0, n, n);
  torch::Tensor cc;
  if (cfg.c_dim > 0) cc = torch::cat({c, c}).to(options);
  torch::Tensor wt0, wt1;
  if (s.space_w) {
    auto w = G->mapping->forward(torch::cat({z0, z1}), cc, 1.0, std::nullopt);
    auto w0 = w.narrow(0, 0, n), w1 = w.narrow(0, n, n);
    auto tt = t.unsqueeze(1).unsqueeze(2);
    wt0 = torch::lerp(w0, w1, tt);
    wt1 = torch::lerp(w0, w1, tt + s.epsilon);
  } else {
    auto zt0 = slerp(z0, z1, t.unsqueeze(1)), zt1 = slerp(z0, z1, t.unsqueeze(1) + s.epsilon);
    auto w = G->mapping->forward(torch::cat({zt0, zt1}), cc, 1.0, std::nullopt);
    wt0 = w.narrow(0, 0, n);
    wt1 = w.narrow(0, n, n);
  }
  for (auto& layer : noise_layers(G))
    layer->noise_const.copy_(torch::randn(layer->noise_const.sizes(), rng, options));
  ForwardOptions fwd;
  fwd.noise_mode = NoiseMode::Const;
  auto img = G->synthesis->forward(torch::cat({wt0, wt1}), fwd);
  if (s.crop) {
    const int64_t k = img.size(2) / 8;
    img = img.narrow(2, k * 3, k * 4).narrow(3, k * 2, k * 4);
  }
  const int64_t factor = cfg.img_resolution / 256;
  if (factor > 1)
    img = img.reshape({img.size(0), img.size(1), img.size(2) / factor, factor, img.size(3) / factor, factor})
              .mean({3, 5});
  img = (img + 1) * (255.0 / 2);
  auto features = lpips.features(img);
  auto dist = lpips.distance(features.narrow(0, 0, n), features.narrow(0, n, n)) / (s.epsilon * s.epsilon);
  return dist.to(torch::kCPU);
}

double ppl_trimmed_mean(std::vector<double> values) {
  if (values.empty()) throw InputError("PPL needs at least one sample");
  for (double v : values)
    if (std::isnan(v)) return v;  // as numpy's percentile and mean propagate NaN
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  const double last = static_cast<double>(sorted.size() - 1);
  const double lo = sorted[static_cast<size_t>(std::floor(0.01 * last))];
  const double hi = sorted[static_cast<size_t>(std::ceil(0.99 * last))];
  double sum = 0;
  int64_t count = 0;
  for (double v : values)
    if (v >= lo && v <= hi) sum += v, ++count;
  return sum / static_cast<double>(count);
}

PplResult compute_ppl(Generator& G, ImageDistance& lpips, const PplSettings& s, uint64_t seed,
                      const std::function<torch::Tensor(int64_t)>& label_for,
                      const std::function<void(int64_t)>& progress) {
  if (s.samples < 1) throw InputError("--samples must be at least 1");
  if (s.batch < 1) throw InputError("--batch must be at least 1");
  const auto start = std::chrono::steady_clock::now();
  Generator noisy = train::copy_generator(G);
  const auto device = noisy->mapping->w_avg.device();
  at::Generator rng = seeded_generator(device, seed);
  const int c_dim = noisy->config.c_dim;
  PplResult r;
  for (int64_t done = 0; done < s.samples; done += s.batch) {
    torch::Tensor c;
    if (c_dim > 0) {
      std::vector<torch::Tensor> labels;
      for (int64_t i = 0; i < s.batch; ++i)
        labels.push_back(label_for(done + i).to(torch::kFloat32).reshape({c_dim}));
      c = torch::stack(labels);
    }
    const auto d = ppl_batch(noisy, lpips, s, c, rng).to(torch::kFloat64).contiguous();
    const int64_t keep = std::min(s.batch, s.samples - done);
    r.distances.insert(r.distances.end(), d.data_ptr<double>(), d.data_ptr<double>() + keep);
    if (progress) progress(done + keep);
  }
  r.value = ppl_trimmed_mean(r.distances);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace stylescope
