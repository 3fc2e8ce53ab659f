// Parity of the training loss and of one whole training iteration with NVIDIA's code: every value in
// tests/fixtures/ref/loss (made by tests/fixtures/make_loss_references.py running the official loss.py and
// the official loop's phase/optimizer/G_ema order on the fixture weights) is reproduced from the fixture
// pkls, with the random draws of the official run fed back in.
#include <gtest/gtest.h>

#include <deque>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/io/npy.h"
#include "core/model/model_file.h"
#include "core/train/distributed.h"
#include "core/train/loss.h"
#include "core/train/training_networks.h"
#include "core/train/training_phase.h"

namespace stylescope::train {
namespace {

const std::string kFixtures = STYLESCOPE_FIXTURES_DIR;

struct Reference {
  nlohmann::json manifest, fixture;
  std::string name;
  torch::Tensor get(const std::string& key) const {
    const auto& files = fixture.at("files");
    if (!files.contains(key)) throw std::runtime_error("no reference " + key);
    return to_torch(read_npy(kFixtures + "/ref/loss/" + files.at(key).at("file").get<std::string>()));
  }
  double max_abs(const std::string& key) const {
    return fixture.at("files").at(key).at("max_abs").get<double>();
  }
};

Reference reference(const std::string& fixture) {
  std::ifstream in(kFixtures + "/ref/loss/loss.json");
  Reference r;
  r.manifest = nlohmann::json::parse(in);
  r.fixture = r.manifest.at("fixtures").at(fixture);
  r.name = fixture;
  return r;
}

// Replays the values the official run drew, in order.
class ReplayRandom : public LossRandom {
 public:
  std::deque<int64_t> cutoffs;
  std::deque<torch::Tensor> z2s, pl_noises;
  int64_t mixing_cutoff(int64_t, double) override { return pop(cutoffs); }
  torch::Tensor mixing_z(const torch::Tensor&) override { return pop(z2s); }
  torch::Tensor pl_noise(const torch::Tensor&) override { return pop(pl_noises); }

 private:
  template <typename T>
  static T pop(std::deque<T>& q) {
    if (q.empty()) throw std::runtime_error("the loss drew more random values than the official code");
    T v = q.front();
    q.pop_front();
    return v;
  }
};

TrainingNetworks load_fixture(const Reference& ref) {
  ResolvedTraining r;
  r.mbstd_group = ref.fixture.at("mbstd_group_size").get<int>();
  TrainingNetworks nets = load_networks(kFixtures + "/" + ref.name + ".pkl", r);
  nets.G->train();
  nets.D->train();
  for (auto& p : nets.G->parameters()) p.set_requires_grad(false);
  for (auto& p : nets.D->parameters()) p.set_requires_grad(false);
  return nets;
}

// Max abs error within rel * (the reference's max abs), or within `abs_tol` when given.
void expect_close(const torch::Tensor& actual, const Reference& ref, const std::string& key,
                  double rel = 2e-4, double abs_tol = 0) {
  torch::Tensor expected = ref.get(key);
  ASSERT_EQ(actual.numel(), expected.numel()) << key;
  const double scale = abs_tol > 0 ? abs_tol / rel : std::max(ref.max_abs(key), 1e-30);
  const double err =
      (actual.detach().reshape({-1}).to(torch::kFloat64) - expected.reshape({-1}).to(torch::kFloat64))
          .abs()
          .max()
          .item<double>();
  EXPECT_LE(err, rel * scale) << ref.name << " " << key << " max abs " << scale;
}

LossSettings settings_of(const Reference& ref, double mixing) {
  LossSettings s;
  s.r1_gamma = ref.fixture.at("r1_gamma").get<double>();
  s.style_mixing_prob = mixing;
  s.noise_mode = NoiseMode::Const;
  return s;
}

DiscriminatorFn d_fn(Discriminator D) {
  return [D](const torch::Tensor& img, const torch::Tensor& c) mutable { return D->forward(img, c); };
}

const char* kFixtureNames[] = {"skip_rgb32", "orig_cond32", "resnet_gray16"};

TEST(TrainingLoss, EachPhaseMatchesTheOfficialLoss) {
  for (const char* fixture : kFixtureNames) {
    Reference ref = reference(fixture);
    const torch::Tensor real = ref.get("input.real_img"), real_c = ref.get("input.real_c");
    const torch::Tensor gen_z = ref.get("input.gen_z"), gen_c = ref.get("input.gen_c");
    const Phase phases[] = {Phase::Gmain, Phase::Greg, Phase::Dmain, Phase::Dreg};
    const double gains[] = {1, 4, 1, 16};
    for (int i = 0; i < 4; ++i) {
      const std::string prefix = std::string("terms_") + phase_name(phases[i]);
      TrainingNetworks nets = load_fixture(ref);
      ReplayRandom random;
      if (phases[i] == Phase::Greg) random.pl_noises.push_back(ref.get(prefix + ".pl_noise"));
      StyleGAN2Loss loss(nets.G, d_fn(nets.D), settings_of(ref, 0.0), random);
      const bool is_G = i < 2;
      NamedTensors params = is_G ? generator_parameters(nets.G) : trainable_parameters(nets.D);
      for (auto& [name, p] : params) p.set_requires_grad(true);
      TrainingStats stats;
      loss.accumulate_gradients(phases[i], real, real_c, gen_z[i], gen_c[i], gains[i], &stats);
      auto summary = stats.summarize();
      auto mean_of = [&](const std::string& key) {
        return ref.get(key).to(torch::kFloat64).mean().item<double>();
      };
      if (phases[i] == Phase::Gmain) {
        EXPECT_NEAR(summary.at("Loss/G/loss").mean, mean_of(prefix + ".loss_G"), 1e-5) << fixture;
      }
      if (phases[i] == Phase::Greg) {
        EXPECT_NEAR(summary.at("Loss/pl_penalty").mean, mean_of(prefix + ".pl_penalty"),
                    2e-4 * ref.max_abs(prefix + ".pl_penalty"))
            << fixture;
        expect_close(loss.pl_mean.reshape({1}), ref, prefix + ".pl_mean");
      }
      if (phases[i] == Phase::Dmain) {
        EXPECT_NEAR(summary.at("Loss/D/loss").mean,
                    mean_of(prefix + ".loss_Dgen") + mean_of(prefix + ".loss_Dreal"), 1e-5)
            << fixture;
      }
      if (phases[i] == Phase::Dreg) {
        EXPECT_NEAR(summary.at("Loss/r1_penalty").mean, mean_of(prefix + ".r1_penalty"),
                    2e-4 * ref.max_abs(prefix + ".r1_penalty"))
            << fixture;
      }
      std::map<std::string, torch::Tensor> by_name(params.begin(), params.end());
      for (const auto& name : ref.fixture.at("chosen_params").at(is_G ? "G" : "D")) {
        const std::string key = prefix + ".grad." + name.get<std::string>();
        if (!ref.fixture.at("files").contains(key)) continue;
        ASSERT_TRUE(by_name.count(name)) << fixture << " " << name;
        ASSERT_TRUE(by_name[name].grad().defined()) << fixture << " " << key;
        expect_close(by_name[name].grad(), ref, key, 1e-3);
      }
      expect_close(nets.G->mapping->w_avg, ref, prefix + ".w_avg", 1e-5);
    }
  }
}

TEST(TrainingLoss, StyleMixingMatchesTheOfficialLoss) {
  for (const char* fixture : kFixtureNames) {
    Reference ref = reference(fixture);
    TrainingNetworks nets = load_fixture(ref);
    ReplayRandom random;
    random.cutoffs.push_back(ref.fixture.at("cases").at("mix").at("cutoff").get<int64_t>());
    random.z2s.push_back(ref.get("mix_Gmain.z2"));
    StyleGAN2Loss loss(nets.G, d_fn(nets.D), settings_of(ref, 1.0), random);
    for (auto& p : nets.G->parameters()) p.set_requires_grad(true);
    auto [img, ws] = loss.run_G(ref.get("input.gen_z")[0], ref.get("input.gen_c")[0]);
    expect_close(ws, ref, "mix_Gmain.gen_ws", 1e-5);
  }
}

// --ms-weight (mode seeking, not official): the G main phase pairs the batch's halves by class and adds
// ms_weight / (mean|img_a - img_b| / mean|z_a - z_b| + 1e-5); its gradients are those of that total.
TEST(TrainingLoss, ModeSeekingTermPairsTheClassesAndAddsItsGradient) {
  Reference ref = reference("orig_cond32");
  const torch::Tensor real = ref.get("input.real_img"), real_c = ref.get("input.real_c");
  const torch::Tensor gen_z = ref.get("input.gen_z")[0], gen_c = ref.get("input.gen_c")[0];
  const int64_t pairs = gen_z.size(0) / 2;
  ASSERT_GE(pairs, 1);
  torch::Tensor paired_c = gen_c.clone();
  paired_c.slice(0, pairs, 2 * pairs).copy_(gen_c.slice(0, 0, pairs));
  ASSERT_FALSE(paired_c.equal(gen_c)) << "the fixture's classes are already paired: the test would be blind";

  LossSettings settings = settings_of(ref, 0.0);
  settings.ms_weight = 0.5;
  TrainingNetworks nets = load_fixture(ref);
  ReplayRandom random;
  StyleGAN2Loss loss(nets.G, d_fn(nets.D), settings, random);
  NamedTensors params = generator_parameters(nets.G);
  for (auto& [name, p] : params) p.set_requires_grad(true);
  TrainingStats stats;
  loss.accumulate_gradients(Phase::Gmain, real, real_c, gen_z, gen_c, 2, &stats);

  // The same total, written out.
  TrainingNetworks expected_nets = load_fixture(ref);
  StyleGAN2Loss plain(expected_nets.G, d_fn(expected_nets.D), settings_of(ref, 0.0), random);
  NamedTensors expected_params = generator_parameters(expected_nets.G);
  for (auto& [name, p] : expected_params) p.set_requires_grad(true);
  auto [img, ws] = plain.run_G(gen_z, paired_c);
  const torch::Tensor logits = expected_nets.D->forward(img, paired_c);
  const torch::Tensor ratio = (img.slice(0, 0, pairs) - img.slice(0, pairs, 2 * pairs)).abs().mean() /
                              (gen_z.slice(0, 0, pairs) - gen_z.slice(0, pairs, 2 * pairs)).abs().mean();
  const torch::Tensor ms = 0.5 / (ratio + 1e-5);
  ((torch::nn::functional::softplus(-logits).mean() + ms) * 2).backward();

  auto summary = stats.summarize();
  ASSERT_TRUE(summary.count("Loss/G/ms"));
  EXPECT_NEAR(summary.at("Loss/G/ms").mean, ms.item<double>(), 1e-5 * ms.item<double>());
  EXPECT_NEAR(summary.at("Loss/G/loss").mean, torch::nn::functional::softplus(-logits).mean().item<double>(),
              1e-6);
  ASSERT_EQ(params.size(), expected_params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    ASSERT_TRUE(params[i].second.grad().defined()) << params[i].first;
    const torch::Tensor expected = expected_params[i].second.grad();
    const double scale = std::max(expected.abs().max().item<double>(), 1e-12);
    EXPECT_LE((params[i].second.grad() - expected).abs().max().item<double>(), 1e-4 * scale)
        << params[i].first;
  }

  // Off (the official loss): no such statistic.
  TrainingNetworks off_nets = load_fixture(ref);
  for (auto& [name, p] : generator_parameters(off_nets.G)) p.set_requires_grad(true);
  StyleGAN2Loss off(off_nets.G, d_fn(off_nets.D), settings_of(ref, 0.0), random);
  TrainingStats off_stats;
  off.accumulate_gradients(Phase::Gmain, real, real_c, gen_z, gen_c, 1, &off_stats);
  EXPECT_FALSE(off_stats.summarize().count("Loss/G/ms"));
}

TEST(TrainingLoss, ModeSeekingPairsShareTheirNoise) {
  // Were a pair's noise drawn apart, G could raise the term's image distance by strengthening its noise
  // rather than by using z (a fine-tune with the term grew an 8x8 noise strength 200-fold).
  Reference ref = reference("orig_cond32");
  const torch::Tensor gen_z = ref.get("input.gen_z")[0], gen_c = ref.get("input.gen_c")[0];
  const int64_t pairs = gen_z.size(0) / 2;
  ASSERT_GE(pairs, 1);
  torch::Tensor same_z = gen_z.clone(), same_c = gen_c.clone();
  same_z.slice(0, pairs, 2 * pairs).copy_(gen_z.slice(0, 0, pairs));
  same_c.slice(0, pairs, 2 * pairs).copy_(gen_c.slice(0, 0, pairs));
  LossSettings settings = settings_of(ref, 0.0);
  settings.noise_mode = NoiseMode::Random;
  TrainingNetworks nets = load_fixture(ref);
  ReplayRandom random;
  StyleGAN2Loss loss(nets.G, d_fn(nets.D), settings, random);
  auto pair_of = [&](const torch::Tensor& img) {
    return std::pair{img.detach().slice(0, 0, pairs), img.detach().slice(0, pairs, 2 * pairs)};
  };

  torch::manual_seed(3);
  const torch::Tensor paired = loss.run_G(same_z, same_c, pairs).first;
  const auto [a, b] = pair_of(paired);
  EXPECT_TRUE(torch::equal(a, b)) << "equal latents under shared noise must give equal images";
  torch::manual_seed(3);
  const torch::Tensor unpaired = loss.run_G(same_z, same_c).first;
  const auto [ua, ub] = pair_of(unpaired);
  EXPECT_GT((ua - ub).abs().max().item<double>(), 1e-4)
      << "the fixture's noise is too weak: the test would be blind";
  EXPECT_TRUE(torch::equal(ua, a)) << "pairing must not change the draws of the first half";

  // The loss pairs the noise of the images its term compares.
  settings.ms_weight = 0.5;
  StyleGAN2Loss with_ms(nets.G, d_fn(nets.D), settings, random);
  for (auto& [name, p] : generator_parameters(nets.G)) p.set_requires_grad(true);
  torch::Tensor paired_c = gen_c.clone();
  paired_c.slice(0, pairs, 2 * pairs).copy_(gen_c.slice(0, 0, pairs));
  torch::manual_seed(5);
  const torch::Tensor img = with_ms.run_G(gen_z, paired_c, pairs).first;
  const auto [ia, ib] = pair_of(img);
  const double expected =
      0.5 /
      ((ia - ib).abs().mean() / (gen_z.slice(0, 0, pairs) - gen_z.slice(0, pairs, 2 * pairs)).abs().mean() +
       1e-5)
          .item<double>();
  TrainingStats stats;
  torch::manual_seed(5);
  with_ms.accumulate_gradients(Phase::Gmain, ref.get("input.real_img"), ref.get("input.real_c"), gen_z, gen_c,
                               1, &stats);
  EXPECT_NEAR(stats.summarize().at("Loss/G/ms").mean, expected, 1e-5 * expected);
}

TEST(TrainingLoss, OneIterationMatchesTheOfficialLoop) {
  for (const char* fixture : kFixtureNames) {
    Reference ref = reference(fixture);
    const nlohmann::json& iter = ref.fixture.at("cases").at("iter");
    TrainingNetworks nets = load_fixture(ref);
    ReplayRandom random;
    for (const auto& draw : iter.at("draws")) {
      random.cutoffs.push_back(draw.at("cutoff").get<int64_t>());
      random.z2s.push_back(ref.get(draw.at("z2").get<std::string>()));
    }
    random.pl_noises.push_back(ref.get("iter.pl_noise"));
    StyleGAN2Loss loss(nets.G, d_fn(nets.D), settings_of(ref, iter.at("mixing_prob").get<double>()), random);
    Adam opt_G(generator_parameters(nets.G), AdamSettings::lazy(0.0025, 4));
    Adam opt_D(trainable_parameters(nets.D), AdamSettings::lazy(0.0025, 16));
    EXPECT_NEAR(opt_G.settings().beta2, iter.at("adam").at("G").at("betas")[1].get<double>(), 1e-12);
    EXPECT_NEAR(opt_D.settings().lr, iter.at("adam").at("D").at("lr").get<double>(), 1e-12);
    ProcessGroup local(LaunchEnvironment{}, torch::kCPU, nullptr);
    const torch::Tensor real = ref.get("input.real_img"), real_c = ref.get("input.real_c");
    const torch::Tensor gen_z = ref.get("input.gen_z"), gen_c = ref.get("input.gen_c");
    const Phase phases[] = {Phase::Gmain, Phase::Greg, Phase::Dmain, Phase::Dreg};
    const int intervals[] = {1, 4, 1, 16};
    TrainingStats stats;
    for (int i = 0; i < 4; ++i) {
      const bool is_G = i < 2;
      run_training_phase(loss, is_G ? opt_G : opt_D,
                         is_G ? generator_parameters(nets.G) : trainable_parameters(nets.D), phases[i],
                         intervals[i], real, real_c, gen_z[i], gen_c[i], 4, local, &stats);
    }
    EXPECT_TRUE(random.cutoffs.empty() && random.z2s.empty() && random.pl_noises.empty()) << fixture;
    update_ema(nets.G_ema, nets.G, iter.at("ema_beta").get<double>());
    auto find = [](torch::nn::Module& m, const std::string& name) {
      for (auto& [n, t] : state_dict(m))
        if (n == name) return t;
      throw std::runtime_error("no parameter " + name);
    };
    for (const char* net : {"G", "D", "G_ema"}) {
      const bool is_D = std::string(net) == "D";
      for (const auto& name : ref.fixture.at("chosen_params").at(is_D ? "D" : "G")) {
        const std::string key = std::string("iter.after.") + net + "." + name.get<std::string>();
        if (!ref.fixture.at("files").contains(key)) continue;
        torch::nn::Module& m = is_D                      ? static_cast<torch::nn::Module&>(*nets.D)
                               : std::string(net) == "G" ? static_cast<torch::nn::Module&>(*nets.G)
                                                         : static_cast<torch::nn::Module&>(*nets.G_ema);
        // Absolute: one Adam step moves a weight by about lr (2.5e-3) whatever its magnitude.
        expect_close(find(m, name), ref, key, 1, 2e-5);
      }
    }
    expect_close(nets.G->mapping->w_avg, ref, "iter.G_w_avg", 1e-5);
  }
}

}  // namespace
}  // namespace stylescope::train
