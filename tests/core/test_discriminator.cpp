// The discriminator (spec §2): parity with the official D on the fixture pkls (logits made by
// tests/fixtures/make_references.py running NVIDIA's code with force_fp32), official names and
// initialization, double backward for R1, Freeze-D's layer counting, minibatch-std groups, bad input.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "core/io/errors.h"
#include "core/io/npy.h"
#include "core/io/zip_npz.h"
#include "core/model/discriminator.h"
#include "core/model/model_file.h"

namespace stylescope {
namespace {

const std::string kFixtures = STYLESCOPE_FIXTURES_DIR;

nlohmann::json fixtures_with_d() {
  std::ifstream in(kFixtures + "/ref/fixtures.json");
  nlohmann::json out = nlohmann::json::object();
  const auto all = nlohmann::json::parse(in);
  for (const auto& [name, facts] : all.items())
    if (facts.contains("D")) out[name] = facts;
  return out;
}

Discriminator load_fixture_d(const std::string& fixture) {
  const std::string path = kFixtures + "/" + fixture + ".pkl";
  LoadedModel m = load_model(path);
  return build_discriminator(DiscriminatorConfig::from_kwargs(m.d_kwargs, path), m.d_tensors, path);
}

std::string expect_input_error(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError";
  return "";
}

// A small D of the given architecture (16x16, 16 channels at most).
DiscriminatorConfig small_config(Architecture arch, int c_dim = 0) {
  DiscriminatorConfig c;
  c.img_resolution = 16;
  c.img_channels = 3;
  c.c_dim = c_dim;
  c.architecture = arch;
  c.channel_base = 128;
  c.channel_max = 16;
  c.mapping_layers = 2;
  c.mbstd_group_size = 2;
  return c;
}

torch::Tensor one_hot_labels(int64_t n, int64_t c_dim) {
  return c_dim == 0 ? torch::zeros({n, 0})
                    : torch::one_hot(torch::arange(n) % c_dim, c_dim).to(torch::kFloat32);
}

TEST(Discriminator, LogitsMatchTheOfficialDiscriminator) {
  const auto fixtures = fixtures_with_d();
  ASSERT_GE(fixtures.size(), 4u);
  std::set<std::string> architectures;
  bool conditional = false;
  for (const auto& [name, facts] : fixtures.items()) {
    SCOPED_TRACE(name);
    auto load = [&](const char* part) {
      return to_torch(read_npy(kFixtures + "/ref/" + facts["D"]["files"][part].get<std::string>()));
    };
    Discriminator d = load_fixture_d(name);
    architectures.insert(architecture_name(d->config.architecture));
    conditional |= d->config.c_dim > 0;
    torch::NoGradGuard no_grad;
    const auto expected = load("logits");
    const auto logits = d->forward(load("img"), load("c"));
    ASSERT_EQ(logits.sizes(), expected.sizes());
    const double err = (logits - expected).abs().max().item<double>();
    const double scale = facts["D"]["logits_max_abs"].get<double>();
    std::cout << "[ D parity ] " << name << ": max |logits - official| = " << err << " (" << err / scale
              << " of max |logits| " << scale << ")\n";
    EXPECT_LT(err, 1e-4 * std::max(scale, 1.0));
  }
  // The fixture pkls' discriminators are resnet and orig; skip comes from the synthetic cases below.
  EXPECT_EQ(architectures, (std::set<std::string>{"orig", "resnet"}));
  EXPECT_TRUE(conditional);
}

// Configurations no fixture pkl has (skip, cmap_dim, two mbstd channels, group None, Freeze-D), with
// weights and logits from tests/fixtures/make_discriminator_references.py.
TEST(Discriminator, LogitsMatchTheOfficialDiscriminatorOnSyntheticWeights) {
  const std::string root = kFixtures + "/ref/discriminator/";
  std::ifstream in(root + "cases.json");
  const auto cases = nlohmann::json::parse(in);
  ASSERT_EQ(cases.size(), 3u);
  std::set<std::string> architectures;
  for (const auto& [name, facts] : cases.items()) {
    SCOPED_TRACE(name);
    const std::string weights = root + name + "_weights.npz";
    const auto cfg = DiscriminatorConfig::from_kwargs(facts["kwargs"], weights);
    Discriminator d = build_discriminator(cfg, read_npz(weights), weights);
    architectures.insert(architecture_name(cfg.architecture));
    auto load = [&](const char* part) { return to_torch(read_npy(root + name + "_" + part + ".npy")); };
    torch::NoGradGuard no_grad;
    const auto expected = load("logits");
    const auto logits = d->forward(load("img"), load("c"));
    ASSERT_EQ(logits.sizes(), expected.sizes());
    const double err = (logits - expected).abs().max().item<double>();
    const double scale = facts["logits_max_abs"].get<double>();
    std::cout << "[ D parity ] " << name << ": max |logits - official| = " << err << " (" << err / scale
              << " of max |logits| " << scale << ")\n";
    EXPECT_LT(err, 1e-4 * std::max(scale, 1.0));
    if (cfg.freeze_layers > 0) {
      EXPECT_EQ(d->frozen_layers, (std::set<std::string>{"b32.fromrgb", "b32.conv0", "b32.conv1"}));
    }
  }
  EXPECT_EQ(architectures, (std::set<std::string>{"skip", "resnet"}));
}

// The gradients of the official Dreal + Dr1 phase (softplus(-logits) + R1 * gamma / 2, gamma 1, R1 by a
// double backward) for every trainable parameter, against the official loss run by the same script.
TEST(Discriminator, R1GradientsMatchTheOfficialLoss) {
  const std::string root = kFixtures + "/ref/discriminator/";
  std::ifstream in(root + "cases.json");
  const auto cases = nlohmann::json::parse(in);
  for (const auto& [name, facts] : cases.items()) {
    SCOPED_TRACE(name);
    const std::string weights = root + name + "_weights.npz";
    Discriminator d = build_discriminator(DiscriminatorConfig::from_kwargs(facts["kwargs"], weights),
                                          read_npz(weights), weights);
    auto load = [&](const char* part) { return to_torch(read_npy(root + name + "_" + part + ".npy")); };
    auto real = load("img").requires_grad_(true);
    auto logits = d->forward(real, load("c"));
    auto grad =
        torch::autograd::grad({logits.sum()}, {real}, {}, /*retain_graph=*/true, /*create_graph=*/true)[0];
    auto r1 = grad.square().sum({1, 2, 3});
    EXPECT_NEAR(r1.mean().item<double>(), facts["r1_penalty"].get<double>(),
                1e-4 * facts["r1_penalty"].get<double>());
    (torch::nn::functional::softplus(-logits) + r1.unsqueeze(1) * 0.5).mean().backward();
    const auto expected = read_npz(root + name + "_grads.npz");
    double worst = 0;
    std::set<std::string> names;
    for (auto& [key, p] : trainable_parameters(d)) {
      SCOPED_TRACE(key);
      names.insert(key);
      auto it = expected.find(key);
      ASSERT_NE(it, expected.end());
      const auto ref = to_torch(it->second);
      const double scale = ref.abs().max().item<double>();
      const double err = (p.grad() - ref).abs().max().item<double>();
      worst = std::max(worst, err / std::max(scale, 1e-12));
      EXPECT_LE(err, 1e-4 * scale + 1e-8);
    }
    EXPECT_EQ(names.size(), expected.size());
    std::cout << "[ D grads ] " << name << ": worst max|grad - official| / max|official| = " << worst << "\n";
  }
}

// A D converted to StyleScope's safetensors (D_kwargs with the layout's defaults written out) loads back
// to the same logits; for the stylegan3-layout fixture this needs num_fp16_res/conv_clamp kept.
TEST(Discriminator, SafetensorsKeepsTheDiscriminator) {
  for (const std::string name : {"sg3repo_skip16", "orig_cond32"}) {
    SCOPED_TRACE(name);
    const std::string pkl = kFixtures + "/" + name + ".pkl";
    const std::string out = (std::filesystem::temp_directory_path() /
                             ("stylescope-test-" + std::to_string(::getpid()) + "-" + name + ".safetensors"))
                                .string();
    save_model_safetensors(out, load_model(pkl));
    LoadedModel converted = load_model(out);
    std::filesystem::remove(out);
    const auto cfg = DiscriminatorConfig::from_kwargs(converted.d_kwargs, out);
    EXPECT_EQ(cfg.to_kwargs(), DiscriminatorConfig::from_kwargs(load_model(pkl).d_kwargs, pkl).to_kwargs());
    Discriminator d = build_discriminator(cfg, converted.d_tensors, out);
    torch::NoGradGuard no_grad;
    const auto img = torch::randn({4, 3, d->config.img_resolution, d->config.img_resolution});
    const auto c = one_hot_labels(4, d->config.c_dim);
    EXPECT_TRUE(torch::equal(d->forward(img, c), load_fixture_d(name)->forward(img, c)));
  }
}

TEST(Discriminator, FreshDiscriminatorHasTheOfficialNamesShapesAndInitialization) {
  const auto fixtures = fixtures_with_d();
  for (const auto& [name, facts] : fixtures.items()) {
    SCOPED_TRACE(name);
    const std::string path = kFixtures + "/" + name + ".pkl";
    LoadedModel m = load_model(path);
    Discriminator d(DiscriminatorConfig::from_kwargs(m.d_kwargs, path));
    std::map<std::string, std::vector<int64_t>> fresh, stored;
    for (auto& [key, t] : state_dict(*d)) fresh[key] = t.sizes().vec();
    for (auto& [key, raw] : m.d_tensors) stored[key] = raw.shape;
    EXPECT_EQ(fresh, stored);
  }
  torch::manual_seed(1);
  Discriminator d(small_config(Architecture::Resnet, 3));
  for (auto& [key, t] : d->named_parameters(true).pairs()) {
    SCOPED_TRACE(key);
    if (key.size() > 5 && key.compare(key.size() - 5, 5, ".bias") == 0) {
      EXPECT_EQ(t.abs().max().item<double>(), 0.0);
    } else if (key.rfind("mapping.fc", 0) == 0) {
      EXPECT_NEAR(t.std().item<double>(), 100.0, 25.0);  // randn / lr_multiplier 0.01
    } else if (t.numel() >= 100) {
      EXPECT_NEAR(t.std().item<double>(), 1.0, 0.25);
    }
  }
}

TEST(Discriminator, EveryArchitectureRunsAndConditioningMatters) {
  torch::manual_seed(2);
  for (auto arch : {Architecture::Orig, Architecture::Skip, Architecture::Resnet}) {
    SCOPED_TRACE(architecture_name(arch));
    Discriminator d(small_config(arch, 4));
    torch::NoGradGuard no_grad;
    const auto img = torch::randn({4, 3, 16, 16});
    const auto logits = d->forward(img, one_hot_labels(4, 4));
    EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{4, 1}));
    EXPECT_EQ(logits.scalar_type(), torch::kFloat32);
    EXPECT_TRUE(torch::isfinite(logits).all().item<bool>());
    const auto other = d->forward(img, one_hot_labels(4, 4).roll(1, 1));
    EXPECT_GT((logits - other).abs().max().item<double>(), 0.0);
    EXPECT_THROW(d->forward(img, torch::Tensor()), InputError);
    EXPECT_THROW(d->forward(torch::randn({4, 3, 8, 8}), one_hot_labels(4, 4)), InputError);
  }
}

// R1 as the official loss computes it: the gradient of sum(logits) w.r.t. the real images with
// create_graph, its squared norm, then backward through that graph.
TEST(Discriminator, R1DoubleBackwardReachesEveryTrainableParameter) {
  torch::manual_seed(3);
  for (auto arch : {Architecture::Orig, Architecture::Skip, Architecture::Resnet}) {
    for (int c_dim : {0, 3}) {
      SCOPED_TRACE(std::string(architecture_name(arch)) + " c_dim " + std::to_string(c_dim));
      auto cfg = small_config(arch, c_dim);
      cfg.conv_clamp = 256.0;
      Discriminator d(cfg);
      auto img = torch::randn({4, 3, 16, 16}).requires_grad_(true);
      auto logits = d->forward(img, one_hot_labels(4, c_dim));
      auto grad =
          torch::autograd::grad({logits.sum()}, {img}, {}, /*retain_graph=*/true, /*create_graph=*/true)[0];
      auto r1 = grad.square().sum({1, 2, 3}).mean();
      r1.backward({}, /*retain_graph=*/true);
      // Biases only move lrelu's kinks, so R1 alone gives them zero (or no) gradient, as in the official
      // code; every weight and the label mapping must get one through the double backward.
      for (auto& [name, p] : trainable_parameters(d)) {
        SCOPED_TRACE(name);
        if (name.find(".bias") == std::string::npos || name.rfind("mapping.", 0) == 0) {
          ASSERT_TRUE(p.grad().defined());
          EXPECT_GT(p.grad().abs().max().item<double>(), 0.0);
        }
        if (p.grad().defined()) {
          EXPECT_TRUE(torch::isfinite(p.grad()).all().item<bool>());
        }
      }
      // With the logistic term (the official Dreal + Dr1 phase) every trainable parameter moves.
      torch::nn::functional::softplus(-logits).mean().backward();
      for (auto& [name, p] : trainable_parameters(d)) {
        SCOPED_TRACE(name);
        EXPECT_TRUE(torch::isfinite(p.grad()).all().item<bool>());
        EXPECT_GT(p.grad().abs().max().item<double>(), 0.0);
      }
    }
  }
}

std::set<std::string> layers_of(const std::vector<std::pair<std::string, torch::Tensor>>& params) {
  std::set<std::string> out;
  for (const auto& item : params) out.insert(item.first.substr(0, item.first.rfind('.')));
  return out;
}

TEST(Discriminator, FreezeDLeavesOutExactlyTheFirstLayers) {
  // Official counting (spec §2.2): b16 fromrgb 0, conv0 1, conv1 2, skip 3; b8 conv0 4, conv1 5, skip 6.
  auto cfg = small_config(Architecture::Resnet);
  Discriminator all(cfg);
  cfg.freeze_layers = 5;
  Discriminator frozen(cfg);
  std::set<std::string> expected_frozen = {"b16.fromrgb", "b16.conv0", "b16.conv1", "b16.skip", "b8.conv0"};
  EXPECT_EQ(frozen->frozen_layers, expected_frozen);
  std::set<std::string> difference;
  const auto kept = layers_of(trainable_parameters(frozen));
  for (const auto& layer : layers_of(trainable_parameters(all)))
    if (!kept.count(layer)) difference.insert(layer);
  EXPECT_EQ(difference, expected_frozen);
  EXPECT_TRUE(kept.count("b8.conv1") && kept.count("b8.skip") && kept.count("b4.conv") &&
              kept.count("b4.out"));

  // skip: every block has a fromrgb (b16: 0-2, b8: 3-5); the epilogue never freezes.
  auto skip_cfg = small_config(Architecture::Skip);
  skip_cfg.freeze_layers = 4;
  Discriminator skip(skip_cfg);
  EXPECT_EQ(skip->frozen_layers,
            (std::set<std::string>{"b16.fromrgb", "b16.conv0", "b16.conv1", "b8.fromrgb"}));
  skip_cfg.freeze_layers = 100;
  Discriminator all_frozen(skip_cfg);
  EXPECT_EQ(layers_of(trainable_parameters(all_frozen)),
            (std::set<std::string>{"b4.fromrgb", "b4.conv", "b4.fc", "b4.out"}));

  // Frozen layers get no gradient and stay as they are.
  auto logits = frozen->forward(torch::randn({2, 3, 16, 16}), torch::Tensor());
  logits.sum().backward();
  for (auto& [name, p] : state_dict(*frozen))
    if (frozen->frozen_layers.count(name.substr(0, name.rfind('.')))) {
      EXPECT_FALSE(p.grad().defined()) << name;
    }
}

TEST(Discriminator, MinibatchStddevUsesStridedGroups) {
  torch::manual_seed(4);
  const auto x = torch::randn({4, 4, 2, 3});
  auto a = x.accessor<float, 4>();
  // Hand computation: group size 2 over N = 4 puts samples {0, 2} and {1, 3} together; with F = 2 the
  // statistic of feature f averages channels [2f, 2f + 2).
  auto expected = [&](int sample, int f) {
    const int other = (sample + 2) % 4;
    double sum = 0;
    for (int ch = 2 * f; ch < 2 * f + 2; ++ch)
      for (int h = 0; h < 2; ++h)
        for (int w = 0; w < 3; ++w) {
          const double d = (a[sample][ch][h][w] - a[other][ch][h][w]) / 2.0;
          sum += std::sqrt(d * d + 1e-8);
        }
    return sum / 12.0;
  };
  const auto y = minibatch_stddev(x, 2, 2);
  ASSERT_EQ(y.sizes(), (std::vector<int64_t>{4, 6, 2, 3}));
  EXPECT_TRUE(torch::equal(y.slice(1, 0, 4), x));
  for (int i = 0; i < 4; ++i)
    for (int f = 0; f < 2; ++f) {
      const auto plane = y[i][4 + f];
      EXPECT_NEAR(plane.min().item<double>(), expected(i, f), 1e-5) << i << " " << f;
      EXPECT_NEAR(plane.max().item<double>(), expected(i, f), 1e-5) << i << " " << f;
    }
  // G = min(group, N): a group of 8 over 4 samples is one group of 4, as is group size 0 (official None).
  EXPECT_TRUE(torch::allclose(minibatch_stddev(x, 8, 1), minibatch_stddev(x, 0, 1)));
  EXPECT_FALSE(torch::allclose(minibatch_stddev(x, 2, 1), minibatch_stddev(x, 4, 1)));
  const auto message = expect_input_error([] { minibatch_stddev(torch::randn({6, 4, 2, 2}), 4, 1); });
  EXPECT_NE(message.find("not divisible"), std::string::npos) << message;
}

TEST(Discriminator, KwargsRoundTripAndStylegan3Defaults) {
  const auto fixtures = fixtures_with_d();
  for (const auto& [name, facts] : fixtures.items()) {
    SCOPED_TRACE(name);
    const std::string path = kFixtures + "/" + name + ".pkl";
    const auto cfg = DiscriminatorConfig::from_kwargs(load_model(path).d_kwargs, path);
    EXPECT_EQ(DiscriminatorConfig::from_kwargs(cfg.to_kwargs(), "x").to_kwargs(), cfg.to_kwargs());
    if (facts["layout"] == "stylegan3-repo") {
      EXPECT_EQ(cfg.num_fp16_res, 4);
      EXPECT_EQ(cfg.conv_clamp, std::optional<double>(256.0));
    }
  }
  auto cfg = small_config(Architecture::Orig, 2);
  cfg.mbstd_group_size = 0;
  cfg.cmap_dim = 7;
  const auto kw = cfg.to_kwargs();
  EXPECT_TRUE(kw["epilogue_kwargs"]["mbstd_group_size"].is_null());
  EXPECT_EQ(DiscriminatorConfig::from_kwargs(kw, "x").to_kwargs(), kw);
  EXPECT_EQ(Discriminator(cfg)->b4->out->weight.size(0), 7);
}

TEST(Discriminator, BadKwargsAreInputErrors) {
  const auto good = small_config(Architecture::Resnet, 2).to_kwargs();
  auto bad = [&](const std::function<void(nlohmann::json&)>& edit, const std::string& needle) {
    auto kw = good;
    edit(kw);
    const auto message = expect_input_error([&] { DiscriminatorConfig::from_kwargs(kw, "model.pkl"); });
    EXPECT_EQ(message.rfind("model.pkl: ", 0), 0u) << message;
    EXPECT_NE(message.find(needle), std::string::npos) << message;
  };
  bad([](auto& kw) { kw.erase("c_dim"); }, "c_dim");
  bad([](auto& kw) { kw["img_resolution"] = 12; }, "img_resolution");
  bad([](auto& kw) { kw["architecture"] = "fancy"; }, "fancy");
  bad([](auto& kw) { kw["channel_base"] = "many"; }, "unexpected type");
  bad([](auto& kw) { kw["extra"] = 1; }, "'extra'");
  bad([](auto& kw) { kw["epilogue_kwargs"]["mbstd_num_channels"] = 3; }, "mbstd_num_channels");
  bad([](auto& kw) { kw["epilogue_kwargs"]["mbstd_group_size"] = 0; }, "mbstd_group_size");
  bad([](auto& kw) { kw["block_kwargs"]["resample_filter"] = {1, 2, 1}; }, "resample_filter");
  bad([](auto& kw) { kw["mapping_kwargs"]["w_avg_beta"] = 0.99; }, "'w_avg_beta'");
  bad([](auto& kw) { kw["block_kwargs"]["freeze_layers"] = -1; }, "freeze_layers");
  bad([](auto& kw) { kw["block_kwargs"] = 3; }, "block_kwargs");
}

TEST(Discriminator, BadTensorsAreInputErrorsNamingFileAndTensor) {
  const std::string path = kFixtures + "/orig_cond32.pkl";
  LoadedModel m = load_model(path);
  const auto cfg = DiscriminatorConfig::from_kwargs(m.d_kwargs, path);
  auto message_for = [&](const std::function<void(std::map<std::string, RawTensor>&)>& edit) {
    auto tensors = m.d_tensors;
    edit(tensors);
    return expect_input_error([&] { build_discriminator(cfg, tensors, path); });
  };
  auto missing = message_for([](auto& t) { t.erase("b4.fc.weight"); });
  EXPECT_NE(missing.find(path + ": missing tensor D.b4.fc.weight"), std::string::npos) << missing;
  auto extra = message_for([](auto& t) { t["b4.skip.weight"] = t["b4.fc.weight"]; });
  EXPECT_NE(extra.find("unexpected tensor D.b4.skip.weight"), std::string::npos) << extra;
  auto shape = message_for([](auto& t) { t["mapping.embed.weight"].shape = {16, 4}; });
  EXPECT_NE(shape.find("D.mapping.embed.weight has shape [16, 4], expected [16, 5]"), std::string::npos)
      << shape;
  // A D built for another architecture does not accept these tensors.
  auto resnet = cfg;
  resnet.architecture = Architecture::Resnet;
  EXPECT_THROW(build_discriminator(resnet, m.d_tensors, path), InputError);
}

}  // namespace
}  // namespace stylescope
