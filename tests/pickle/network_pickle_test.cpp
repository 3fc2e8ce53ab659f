// Network pickles in the official layout (spec §7), written in every protocol, and the pickles that must
// be recognised and refused (StyleGAN3, TF-era, other content, hostile globals).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/io/pickle/network_pickle.h"
#include "tests/pickle/pickle_test_util.h"

namespace stylescope::pickle::test {
namespace {

constexpr const char* kPwned = "/tmp/stylescope-pickle-test-pwned";  // what the hostile pickles would touch

NetworkPickle read_data_pickle(const std::string& name) {
  return read_network_pickle_bytes(to_buffer(read_data(name)), name);
}

void expect_network(const NetworkModule& net, const nlohmann::json& expected) {
  EXPECT_EQ(net.class_name, expected["class_name"].get<std::string>());
  EXPECT_EQ(net.module_classes, (expected["module_classes"].get<std::map<std::string, std::string>>()));
  for (const auto& [path, attributes] : expected["module_attributes"].items()) {
    ASSERT_EQ(net.module_attributes.count(path), 1u) << path;
    EXPECT_EQ(net.module_attributes.at(path), attributes) << path;
  }
  EXPECT_EQ(net.module_attributes.size(), expected["module_attributes"].size());
  EXPECT_EQ(net.init_kwargs, expected["init_kwargs"]);
  ASSERT_EQ(net.tensors.size(), expected["tensors"].size());
  for (const auto& [name, e] : expected["tensors"].items()) {
    SCOPED_TRACE(name);
    ASSERT_EQ(net.tensors.count(name), 1u);
    const RawTensor& t = net.tensors.at(name);
    EXPECT_EQ(dtype_name(t.dtype), e["dtype"].get<std::string>());
    EXPECT_EQ(t.shape, e["shape"].get<std::vector<int64_t>>());
    EXPECT_EQ(t.strides, e["stride"].get<std::vector<int64_t>>());
    EXPECT_EQ(t.offset, e["offset"].get<int64_t>());
    const std::vector<float> values = t.to_float32();
    double sum = 0;
    for (float v : values) sum += v;
    EXPECT_NEAR(sum, e["sum"].get<double>(), 1e-4 * (1 + std::abs(e["sum"].get<double>())));
    ASSERT_FALSE(values.empty());
    EXPECT_FLOAT_EQ(values[0], static_cast<float>(e["first"].get<double>()));
  }
}

class NetworkProtocolTest : public ::testing::TestWithParam<int> {};

TEST_P(NetworkProtocolTest, MatchesWhatPythonPickled) {
  const std::string name = "net_p" + std::to_string(GetParam()) + ".pkl";
  const nlohmann::json expected = nlohmann::json::parse(read_data("net_expected.json"));
  const NetworkPickle net = read_data_pickle(name);  // the tensors outlive the reader's document
  ASSERT_TRUE(net.G && net.D && net.G_ema);
  {
    SCOPED_TRACE("G");
    expect_network(*net.G, expected["G"]);
  }
  {
    SCOPED_TRACE("D");
    expect_network(*net.D, expected["D"]);
  }
  {
    SCOPED_TRACE("G_ema");
    expect_network(*net.G_ema, expected["G_ema"]);
  }
  EXPECT_EQ(net.training_set_kwargs, expected["training_set_kwargs"]);
  EXPECT_TRUE(net.has_augment_pipe);  // an AugmentPipe: never read, never in the way
  // Spot checks against spec §3 naming.
  const RawTensor& cl = net.G_ema->tensors.at("synthesis.b8.conv1.weight");  // channels_last (--nhwc)
  EXPECT_EQ(cl.shape, (std::vector<int64_t>{2, 2, 3, 3}));
  EXPECT_EQ(cl.strides, (std::vector<int64_t>{18, 1, 6, 2}));
  EXPECT_TRUE(net.G_ema->tensors.at("synthesis.b8.conv0.noise_strength").shape.empty());
  EXPECT_EQ(net.D->tensors.count("b8.fromrgb.weight"), 1u);  // Freeze-D: from _buffers
  EXPECT_EQ(net.G_ema->module_classes.at("synthesis.b4.conv1.affine"), "FullyConnectedLayer");
}

INSTANTIATE_TEST_SUITE_P(Protocols, NetworkProtocolTest, ::testing::Range(0, 6));

TEST(NetworkPickle, SmallNetworkWithoutAugmentPipe) {
  const NetworkPickle net = read_data_pickle("net_small.pkl");
  ASSERT_TRUE(net.G_ema);
  EXPECT_FALSE(net.has_augment_pipe);
  EXPECT_EQ(net.G_ema->tensors.at("synthesis.b4.const").shape, (std::vector<int64_t>{2, 4, 4}));
  EXPECT_EQ(net.G_ema->tensors.at("mapping.w_avg").shape, (std::vector<int64_t>{8}));
  EXPECT_EQ(net.G_ema->module_attributes.at("mapping")["w_avg_beta"], 0.995);
  EXPECT_EQ(net.G_ema->init_kwargs["img_resolution"], 4);
}

TEST(NetworkPickle, RecognisesOtherKindsOfPickle) {
  struct Case {
    const char* file;
    std::string message;
  };
  const Case cases[] = {
      {"net_sg3.pkl",
       "net_sg3.pkl: StyleGAN3 (alias-free) generator (class SynthesisInput) is not supported; "
       "only StyleGAN2 networks"},
      {"net_sg3_layers.pkl", "StyleGAN3 (alias-free) generator (layers named L0_36_4) is not supported"},
      {"net_tf.pkl",
       "net_tf.pkl: TensorFlow-era network pickle (dnnlib.tflib.network.Network objects) is not "
       "supported; convert it with the official legacy.py first"},
      {"net_other_dict.pkl",
       "not a StyleGAN2 network pickle: the top-level dict has no G_ema or G (keys: 'model', "
       "'optimizer')"},
      {"net_other_list.pkl", "not a StyleGAN2 network pickle: the top level is a list of 3 items"},
      {"net_state_dict.pkl", "not a StyleGAN2 network pickle: G_ema is a dict of"},
      {"net_not_generator.pkl", "G_ema is a persistent MappingNetwork object, not a Generator"},
      {"net_zip_storage.pkl", "storage is a zip-format torch.save archive"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    try {
      read_data_pickle(c.file);
      ADD_FAILURE() << "accepted";
    } catch (const UnsupportedError& e) {
      EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << e.what();
    } catch (const InputError& e) {
      ADD_FAILURE() << "InputError instead of UnsupportedError: " << e.what();
    }
  }
}

TEST(NetworkPickle, HostileGlobalsAreNeverRunAndRefusedInNetworkSlots) {
  std::remove(kPwned);
  // Elsewhere (an extra key, augment_pipe, training_set_kwargs) they do not stop loading.
  EXPECT_TRUE(read_data_pickle("net_hostile_extra_key.pkl").G_ema);
  const NetworkPickle with_pipe = read_data_pickle("net_hostile_augment_pipe.pkl");
  EXPECT_TRUE(with_pipe.has_augment_pipe);
  EXPECT_EQ(with_pipe.training_set_kwargs["evil"], "<posix.system(...)>");
  // In a network slot they are named.
  const std::pair<const char*, std::string> slots[] = {
      {"net_hostile_root.pkl", "expected a persistent network object at G_ema, found posix.system(...)"},
      {"net_hostile_tensor.pkl", "expected a tensor at G_ema.synthesis.b4.const, found posix.system(...)"},
      {"net_hostile_module.pkl", "expected a network module at G_ema.synthesis.b4, found posix.system(...)"},
      {"net_hostile_attribute.pkl",
       "expected plain data at G_ema.mapping.num_layers, found posix.system(...)"},
  };
  for (const auto& [file, message] : slots) {
    SCOPED_TRACE(file);
    const std::string what =
        expect_input_error([&] { read_data_pickle(file); }, {std::string(file) + ": " + message});
    EXPECT_EQ(what.find("StyleGAN3"), std::string::npos);
  }
  EXPECT_FALSE(std::filesystem::exists(kPwned));
}

TEST(NetworkPickle, ReadsFilesFromDisk) {
  const NetworkPickle net = read_network_pickle(data_path("net_p4.pkl"));
  ASSERT_TRUE(net.G_ema);
  EXPECT_EQ(net.G_ema->tensors.at("synthesis.b4.const").shape, (std::vector<int64_t>{2, 4, 4}));
  const std::string missing = data_path("no_such_file.pkl");
  expect_input_error([&] { read_network_pickle(missing); }, {missing + ": no such file"});
  expect_input_error([&] { read_network_pickle(data_path("")); }, {"not a regular file"});
  // An empty file is a malformed pickle, not a crash.
  const std::string empty = testing::TempDir() + "/stylescope_empty.pkl";
  std::ofstream(empty).close();
  expect_input_error([&] { read_network_pickle(empty); }, {empty + ": byte 0: pickle data ends before STOP"});
  std::remove(empty.c_str());
}

// Fixture pickles written by tests/fixtures/make_fixtures.py (another task); checked when present.
TEST(NetworkPickle, FixturePicklesFollowSpecNaming) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(STYLESCOPE_FIXTURES_DIR, ec)) {
    if (entry.path().extension() == ".pkl") files.push_back(entry.path().string());
  }
  if (files.empty()) GTEST_SKIP() << "no tests/fixtures/*.pkl yet";
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    const std::string stem = std::filesystem::path(file).stem().string();
    if (stem.rfind("reject_", 0) == 0) {  // refused, for the reason its name gives
      const std::string what = stem == "reject_stylegan3" ? "StyleGAN3"
                               : stem == "reject_tf"      ? "TensorFlow"
                               : stem == "reject_system"  ? "posix.system"
                                                          : "";
      expect_input_error([&] { read_network_pickle(file); }, {what});
      continue;
    }
    const NetworkPickle net = read_network_pickle(file);
    ASSERT_TRUE(net.G_ema);
    const NetworkModule& g = *net.G_ema;
    const int64_t w_dim = g.module_attributes.at("")["w_dim"].get<int64_t>();
    const int64_t res = g.module_attributes.at("")["img_resolution"].get<int64_t>();
    const int64_t img_channels = g.module_attributes.at("")["img_channels"].get<int64_t>();
    ASSERT_EQ(g.tensors.at("synthesis.b4.const").shape.size(), 3u);
    EXPECT_EQ(g.tensors.at("mapping.w_avg").shape, (std::vector<int64_t>{w_dim}));
    for (int64_t r = 4; r <= res; r *= 2) {
      const std::string b = "synthesis.b" + std::to_string(r) + ".";
      EXPECT_EQ(g.tensors.at(b + "resample_filter").shape, (std::vector<int64_t>{4, 4}));
      EXPECT_EQ(g.tensors.at(b + "conv1.noise_const").shape, (std::vector<int64_t>{r, r}));
      EXPECT_TRUE(g.tensors.at(b + "conv1.noise_strength").shape.empty());
      const std::vector<int64_t>& w = g.tensors.at(b + "conv1.weight").shape;
      ASSERT_EQ(w.size(), 4u);
      EXPECT_EQ(g.tensors.at(b + "conv1.affine.weight").shape, (std::vector<int64_t>{w[1], w_dim}));
      if (r > 4) {
        EXPECT_EQ(g.tensors.at(b + "conv0.noise_const").shape, (std::vector<int64_t>{r, r}));
      }
    }
    const std::string last = "synthesis.b" + std::to_string(res) + ".torgb.weight";
    EXPECT_EQ(g.tensors.at(last).shape.at(0), img_channels);
    for (const auto& [name, t] : g.tensors) EXPECT_TRUE(t.in_bounds()) << name;
  }
}

}  // namespace
}  // namespace stylescope::pickle::test
