// PCA of w: recovers known components, is bounded and reproducible, reports progress and can be cancelled.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/io/errors.h"
#include "core/latent/direction_compute.h"
#include "core/latent/latents.h"
#include "core/latent/numpy_rng.h"
#include "core/model/model_file.h"

namespace stylescope {
namespace {

const std::string kFixtures = STYLESCOPE_FIXTURES_DIR;

TEST(Pca, RecoversTheComponentsOfAKnownCovariance) {
  const int64_t dim = 8, n = 200000;
  torch::manual_seed(1);
  // An orthonormal basis Q (rows) and standard deviations 8, 4, 2, 1, 0.5, ... along its rows; a large mean
  // checks that the float64 accumulation about a shift loses nothing.
  const auto q = std::get<0>(torch::linalg_qr(torch::randn({dim, dim}, torch::kFloat64))).t().contiguous();
  const auto stddevs = torch::pow(2.0, torch::arange(3, 3 - dim, -1, torch::kFloat64));
  const auto mean = torch::full({dim}, 1000.0, torch::kFloat64);
  CovarianceAccumulator acc(dim);
  for (int64_t done = 0; done < n; done += 10000)
    acc.add((mean + (torch::randn({10000, dim}, torch::kFloat64) * stddevs).mm(q)).to(torch::kFloat32));
  EXPECT_EQ(acc.count(), n);
  const auto pc = principal_components(acc, 4);
  EXPECT_LT((pc.mean - mean).abs().max().item<double>(), 0.1);
  for (int i = 0; i < 4; ++i) {
    SCOPED_TRACE(i);
    const double expected_var = std::pow(stddevs[i].item<double>(), 2);
    EXPECT_NEAR(pc.variances[i].item<double>() / expected_var, 1.0, 0.02);
    // |cos| between the found and the true component.
    EXPECT_GT(std::abs(pc.components[i].dot(q[i]).item<double>()), 0.999);
    EXPECT_NEAR(pc.components[i].norm().item<double>(), 1.0, 1e-12);
  }
  const double total = (stddevs * stddevs).sum().item<double>();
  EXPECT_NEAR(pc.total_variance / total, 1.0, 0.02);
}

TEST(Pca, FixtureModelExplainedVarianceDecreasesSumsToAtMostOneAndIsReproducible) {
  LoadedModel m = load_model(kFixtures + "/skip_rgb32.pkl");
  PcaOptions o;
  o.samples = 3000;
  o.seed = 5;
  o.k = 32;  // every component of w_dim 32
  o.batch = 512;
  const DirectionSet set = pca_directions(m.G, o);
  ASSERT_EQ(set.size(), 32);
  EXPECT_EQ(set.method, "pca");
  EXPECT_EQ(set.scale_unit, "stddev");
  double sum = 0;
  for (int i = 0; i < set.size(); ++i) {
    const auto& d = set.directions[i];
    ASSERT_TRUE(d.explained_variance && d.stddev);
    EXPECT_GE(*d.explained_variance, 0.0);
    if (i > 0) {
      EXPECT_LE(*d.explained_variance, *set.directions[i - 1].explained_variance);
    }
    EXPECT_EQ(d.scale, *d.stddev);
    EXPECT_EQ(d.layers.size(), 8u);
    sum += *d.explained_variance;
  }
  EXPECT_LE(sum, 1.0 + 1e-9);
  EXPECT_NEAR(sum, 1.0, 1e-6);  // all components together explain everything
  // Same seed, same result, whatever the batch size (the z stream continues across batches).
  o.batch = 1000;
  const DirectionSet again = pca_directions(m.G, o);
  EXPECT_LT((again.vectors - set.vectors).abs().max().item<float>(), 1e-4);
  o.batch = 512;
  EXPECT_TRUE(torch::equal(pca_directions(m.G, o).vectors, set.vectors));
  o.seed = 6;
  EXPECT_FALSE(torch::equal(pca_directions(m.G, o).vectors, set.vectors));
}

TEST(Pca, SamplesAreTheNumpyStreamOfTheSeed) {
  // With 2 samples the mean is the mean of mapping(RandomState(seed).randn(2, z_dim)) rows.
  LoadedModel m = load_model(kFixtures + "/skip_rgb32.pkl");
  PcaOptions o;
  o.samples = 2;
  o.seed = 9;
  o.k = 1;
  o.batch = 1;
  const DirectionSet set = pca_directions(m.G, o);
  NumpyRandomState rng(9);
  auto z = torch::empty({2, 32}, torch::kFloat64);
  rng.randn(z.data_ptr<double>(), 64);
  torch::NoGradGuard guard;
  const auto w = m.G->mapping->forward(z, {}, 1.0, std::nullopt).select(1, 0).to(torch::kFloat64);
  const auto mean = torch::tensor(set.details["mean"].get<std::vector<float>>()).to(torch::kFloat64);
  EXPECT_LT((mean - w.mean(0)).abs().max().item<double>(), 1e-5);
  // Two points: the one component is the line through them.
  const auto line = (w[1] - w[0]) / (w[1] - w[0]).norm();
  EXPECT_GT(std::abs(set.vectors[0].to(torch::kFloat64).dot(line).item<double>()), 1 - 1e-6);
}

TEST(Pca, LargeMappingBatchesEqualOneRowAtATime) {
  // Batches of 64 or more take the oneDNN product in FullyConnectedLayer; it must agree with the matmul.
  LoadedModel m = load_model(kFixtures + "/resnet_gray16.pkl");
  torch::NoGradGuard guard;
  NumpyRandomState rng(4);
  auto z = torch::empty({100, 16}, torch::kFloat64);
  rng.randn(z.data_ptr<double>(), 1600);
  const auto batched = m.G->mapping->forward(z, {}, 1.0, std::nullopt);
  for (int64_t i = 0; i < 100; i += 9) {
    const auto single = m.G->mapping->forward(z.narrow(0, i, 1), {}, 1.0, std::nullopt);
    const double scale = single.abs().max().item<double>();
    EXPECT_LT((batched.narrow(0, i, 1) - single).abs().max().item<double>(), 1e-5 * scale) << "row " << i;
  }
  // The affines (no activation) take the same path.
  auto& affine = m.G->synthesis->blocks[0]->conv1->affine;
  const auto w = batched.select(1, 0);
  const auto direct = torch::addmm(affine->bias.unsqueeze(0), w, affine->weight.t() * affine->weight_gain);
  EXPECT_LT((affine->forward(w) - direct).abs().max().item<double>(), 1e-4);
}

TEST(Pca, ReportsProgressAndStopsWhenCancelled) {
  LoadedModel m = load_model(kFixtures + "/skip_rgb32.pkl");
  PcaOptions o;
  o.samples = 1000;
  o.batch = 300;
  o.k = 2;
  std::vector<int64_t> seen;
  std::atomic<bool> cancel{false};
  ComputeControl control;
  control.progress = [&](int64_t done, int64_t total) {
    EXPECT_EQ(total, 1000);
    seen.push_back(done);
  };
  control.cancel = &cancel;
  pca_directions(m.G, o, control);
  EXPECT_EQ(seen, (std::vector<int64_t>{300, 600, 900, 1000}));
  seen.clear();
  control.progress = [&](int64_t done, int64_t) {
    seen.push_back(done);
    cancel = true;  // as the GUI's cancel button, from the progress of the first batch
  };
  EXPECT_THROW(pca_directions(m.G, o, control), OperationCancelled);
  EXPECT_EQ(seen, (std::vector<int64_t>{300}));
}

TEST(Pca, ConditionalModelsNeedAClass) {
  LoadedModel m = load_model(kFixtures + "/orig_cond32.pkl");
  PcaOptions o;
  o.samples = 100;
  o.k = 2;
  EXPECT_THROW(pca_directions(m.G, o), InputError);
  o.class_idx = 2;
  EXPECT_EQ(pca_directions(m.G, o).size(), 2);
}

}  // namespace
}  // namespace stylescope
