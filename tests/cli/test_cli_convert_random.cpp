// `convert --config`: a random-weight model of an official configuration, usable by every command.
#include <filesystem>

#include "core/io/image.h"
#include "tests/cli/cli_harness.h"

namespace stylescope::test {
namespace {

class ConvertRandom : public CliTest {};

TEST_F(ConvertRandom, WritesALoadableModelOfTheConfiguration) {
  const std::string model = dir_ + "/cifar.safetensors";
  auto r = run({"convert", "--config", "cifar", "--out", model});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto info = run({"info", "--model", model});
  ASSERT_EQ(info.exit_code, 0) << info.output;
  EXPECT_NE(info.output.find("\"resolution\": 32"), std::string::npos) << info.output;
  auto gen = run({"generate", "--model", model, "--seeds", "1", "--class", "0", "--out", dir_});
  ASSERT_EQ(gen.exit_code, 0) << gen.output;
  EXPECT_EQ(read_image(dir_ + "/seed0001.png").width, 32);
  auto both = run({"convert", "--config", "cifar", "--model", model, "--out", dir_ + "/x.safetensors"});
  EXPECT_EQ(both.exit_code, 2) << both.output;
  EXPECT_FALSE(exists(dir_ + "/x.safetensors"));
}

}  // namespace
}  // namespace stylescope::test
