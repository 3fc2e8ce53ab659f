// Model files: safetensors round trip, strict state-dict loading, architecture validation, and the
// official configurations' sizes (spec §4, counted from the official classes).
#include <gtest/gtest.h>

#include <filesystem>

#include "core/io/errors.h"
#include "core/io/safetensors.h"
#include "core/io/tensor_ref.h"
#include "core/model/model_file.h"

namespace stylescope {
namespace {

const std::string kFixtures = STYLESCOPE_FIXTURES_DIR;

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("stylescope-test-" + std::to_string(::getpid()) + name))
      .string();
}

template <typename E = InputError, typename Fn>
std::string error_of(Fn fn) {
  try {
    fn();
  } catch (const E& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error thrown";
  return "";
}

TEST(ModelFile, SafetensorsRoundTripIsExact) {
  LoadedModel pkl = load_model(kFixtures + "/skip_rgb32.pkl");
  const std::string path = temp_path("roundtrip.safetensors");
  save_model_safetensors(path, pkl);
  SafetensorsFile file = read_safetensors(path);
  EXPECT_EQ(file.metadata.at("format"), "stylescope/1");
  EXPECT_NE(file.find("G_ema.synthesis.b4.const"), nullptr);
  EXPECT_NE(file.find("G_ema.mapping.w_avg"), nullptr);
  EXPECT_NE(file.find("D.b4.out.weight"), nullptr);
  EXPECT_EQ(file.find("G.synthesis.b4.const"), nullptr);
  LoadedModel st = load_model(path);
  EXPECT_EQ(st.networks, (std::vector<std::string>{"D", "G_ema"}));
  EXPECT_EQ(st.config.to_kwargs(), pkl.config.to_kwargs());
  auto a = state_dict(*pkl.G), b = state_dict(*st.G);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].first, b[i].first);
    EXPECT_TRUE(torch::equal(a[i].second, b[i].second)) << a[i].first;
  }
  EXPECT_EQ(st.d_tensors.size(), pkl.d_tensors.size());
  std::filesystem::remove(path);
}

TEST(ModelFile, LoaderTakesGEmaNotG) {
  // The fixtures' G differs from G_ema; info reports which one was used and the state matches G_ema's.
  LoadedModel m = load_model(kFixtures + "/resnet_gray16.pkl");
  EXPECT_EQ(m.generator_source, "G_ema");
}

TEST(ModelFile, StateDictMustMatchExactly) {
  LoadedModel m = load_model(kFixtures + "/resnet_gray16.pkl");
  std::map<std::string, RawTensor> tensors;
  std::vector<std::vector<float>> storage;
  storage.reserve(200);
  for (auto& [name, t] : state_dict(*m.G)) {
    auto c = t.contiguous();
    storage.emplace_back(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    RawTensor raw;
    raw.shape = c.sizes().vec();
    raw.storage.data = reinterpret_cast<const uint8_t*>(storage.back().data());
    raw.storage.size = storage.back().size() * 4;
    tensors[name] = raw;
  }
  EXPECT_NO_THROW(build_generator(m.config, tensors, "x.pkl", "G_ema"));

  auto missing = tensors;
  missing.erase("synthesis.b8.conv0.affine.bias");
  EXPECT_NE(error_of([&] {
              build_generator(m.config, missing, "x.pkl", "G_ema");
            }).find("missing tensor G_ema.synthesis.b8.conv0.affine.bias"),
            std::string::npos);

  auto wrong = tensors;
  wrong["mapping.fc0.weight"].shape = {1, wrong["mapping.fc0.weight"].numel()};
  const std::string shape_error = error_of([&] { build_generator(m.config, wrong, "x.pkl", "G_ema"); });
  EXPECT_NE(shape_error.find("x.pkl: tensor G_ema.mapping.fc0.weight has shape [1, "), std::string::npos)
      << shape_error;

  auto extra = tensors;
  extra["synthesis.b16.torgb.weight2"] = tensors["synthesis.b16.torgb.weight"];
  EXPECT_NE(error_of([&] { build_generator(m.config, extra, "x.pkl", "G_ema"); }).find("unexpected tensor"),
            std::string::npos);

  auto out_of_bounds = tensors;
  out_of_bounds["synthesis.b4.const"].offset = 5;
  EXPECT_NE(error_of([&] { build_generator(m.config, out_of_bounds, "x.pkl", "G_ema"); }).find("outside"),
            std::string::npos);
}

TEST(ModelFile, UnsupportedArchitecturesAreInputErrors) {
  auto kwargs = GeneratorConfig::named("paper256").to_kwargs();
  for (auto [key, value] : std::vector<std::pair<std::string, nlohmann::json>>{{"img_resolution", 48},
                                                                               {"img_resolution", 2048},
                                                                               {"img_resolution", 2},
                                                                               {"img_channels", 5},
                                                                               {"img_channels", 0},
                                                                               {"z_dim", "x"}}) {
    auto k = kwargs;
    k[key] = value;
    const std::string e = error_of([&] { GeneratorConfig::from_kwargs(k, "m.pkl"); });
    EXPECT_EQ(e.rfind("m.pkl: ", 0), 0u) << e;
    EXPECT_NE(e.find(key), std::string::npos) << e;
  }
  auto k = kwargs;
  k["synthesis_kwargs"]["architecture"] = "fancy";
  EXPECT_NE(error_of([&] { GeneratorConfig::from_kwargs(k, "m.pkl"); }).find("fancy"), std::string::npos);
  EXPECT_THROW(load_model(kFixtures + "/README.md"), InputError);
}

TEST(ModelFile, SafetensorsWithoutStyleScopeMetadataIsRejected) {
  const std::string path = temp_path("plain.safetensors");
  float v[4] = {1, 2, 3, 4};
  write_safetensors(path, {}, {{"G_ema.x", TensorRef{DType::Float32, {4}, v}}});
  EXPECT_NE(error_of([&] { load_model(path); }).find("stylescope/1"), std::string::npos);
  write_safetensors(path, {{"format", "stylescope/9"}}, {{"G_ema.x", TensorRef{DType::Float32, {4}, v}}});
  EXPECT_NE(error_of<UnsupportedError>([&] { load_model(path); }).find("newer"), std::string::npos);
  std::filesystem::remove(path);
}

TEST(OfficialConfigurations, SizesMatchTheOfficialClasses) {
  struct Expected {
    const char* name;
    int num_ws;
    int64_t params, mapping_params, buffers;
  };
  // spec §4: instantiated official networks.
  for (const Expected& e : {Expected{"paper256", 14, 24767458, 2101248, 175568},
                            Expected{"paper512", 16, 30276583, 2101248, 699904},
                            Expected{"stylegan2", 18, 30370060, 2101248, 2797104},
                            Expected{"cifar", 8, 20215315, 793088, 3392}}) {
    SCOPED_TRACE(e.name);
    Generator g(GeneratorConfig::named(e.name));
    EXPECT_EQ(g->config.num_ws(), e.num_ws);
    EXPECT_EQ(g->synthesis->num_ws, e.num_ws);
    EXPECT_EQ(parameter_count(*g), e.params);
    EXPECT_EQ(parameter_count(*g->mapping), e.mapping_params);
    int64_t buffers = 0;
    for (auto& b : g->buffers()) buffers += b.numel();
    EXPECT_EQ(buffers, e.buffers);
  }
}

}  // namespace
}  // namespace stylescope
