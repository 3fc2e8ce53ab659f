// The embedded default model (models/README.md): every command uses it when no --model is given.
#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/io/image.h"
#include "tests/cli/cli_harness.h"

namespace stylescope::test {
namespace {

const std::string kDefaultModel = std::string(STYLESCOPE_MODELS_DIR) + "/default.safetensors";

class DefaultModel : public CliTest {};

TEST_F(DefaultModel, IsASmallConditionalFashionMnistModel) {
  ASSERT_TRUE(exists(kDefaultModel));
  EXPECT_LT(std::filesystem::file_size(kDefaultModel), 12u << 20) << "the default model should stay a few MB";
  auto r = run({"info"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output.substr(r.output.find('{')));
  EXPECT_EQ(j["resolution"], 32);
  EXPECT_EQ(j["img_channels"], 1);
  EXPECT_EQ(j["c_dim"], 10);  // Fashion-MNIST's ten labels
  EXPECT_EQ(j["generator_from"], "G_ema");
  // D ships too, so the Fine-tune panel can continue training the default model.
  auto networks = j["networks"].get<std::vector<std::string>>();
  std::sort(networks.begin(), networks.end());
  EXPECT_EQ(networks, (std::vector<std::string>{"D", "G_ema"}));
}

TEST_F(DefaultModel, GenerateWithoutModelFlagMakesTheDefaultModelsImages) {
  auto implicit = run({"generate", "--seeds", "3", "--class", "9", "--threads", "2", "--out", dir_ + "/a"});
  ASSERT_EQ(implicit.exit_code, 0) << implicit.output;
  auto explicit_model = run({"generate", "--model", kDefaultModel, "--seeds", "3", "--class", "9",
                             "--threads", "2", "--out", dir_ + "/b"});
  ASSERT_EQ(explicit_model.exit_code, 0) << explicit_model.output;
  const Image8 a = read_image(dir_ + "/a/seed0003.png"), b = read_image(dir_ + "/b/seed0003.png");
  EXPECT_EQ(a.width, 32);
  EXPECT_EQ(a.channels, 1);
  EXPECT_EQ(a.pixels, b.pixels);
  // Not a blank image: an ankle boot has dark background and bright parts.
  int bright = 0;
  for (uint8_t p : a.pixels) bright += p > 128;
  EXPECT_GT(bright, 20);
  EXPECT_LT(bright, 32 * 32 - 100);
}

TEST_F(DefaultModel, NeedsAClassLikeAnyConditionalModel) {
  auto r = run({"generate", "--seeds", "0", "--out", dir_});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--class"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace stylescope::test
