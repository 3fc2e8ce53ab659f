#pragma once
// Runs the stylescope binary and reads what it wrote, for the end-to-end tests.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/io/raw_tensor.h"

namespace stylescope::test {

extern const std::string kFixtures;

struct RunResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs `stylescope <args>` (args are shell-quoted here) with XDG_CONFIG_HOME pointing at a temp folder.
// `launcher` (taken verbatim, e.g. an xvfb-run command line) goes in front of the binary.
RunResult run(const std::vector<std::string>& args, const std::string& launcher = "");

// A fresh empty folder under the system temp dir, removed by the fixture's TearDown.
class CliTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  std::string dir_;
};

std::vector<float> npy_values(const std::string& path, std::vector<int64_t>* shape = nullptr);
double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b);
bool exists(const std::string& path);

}  // namespace stylescope::test
