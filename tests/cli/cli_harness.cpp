#include <sys/wait.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>

#include "core/io/npy.h"
#include "tests/cli/cli_harness.h"

namespace stylescope::test {

const std::string kFixtures = STYLESCOPE_FIXTURES_DIR;

namespace {
std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}
}  // namespace

RunResult run(const std::vector<std::string>& args, const std::string& launcher) {
  static const std::string config_home = [] {
    auto dir =
        std::filesystem::temp_directory_path() / ("stylescope-cli-config-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    return dir.string();
  }();
  std::string cmd = "XDG_CONFIG_HOME=" + quote(config_home) + " " + launcher + (launcher.empty() ? "" : " ") +
                    quote(STYLESCOPE_BINARY);
  for (const auto& a : args) cmd += " " + quote(a);
  cmd += " 2>&1";
  RunResult r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

void CliTest::SetUp() {
  std::random_device rd;
  dir_ = (std::filesystem::temp_directory_path() / ("stylescope-cli-" + std::to_string(rd()))).string();
  std::filesystem::create_directories(dir_);
}

void CliTest::TearDown() { std::filesystem::remove_all(dir_); }

std::vector<float> npy_values(const std::string& path, std::vector<int64_t>* shape) {
  RawTensor t = read_npy(path);
  if (shape) *shape = t.shape;
  return t.to_float32();
}

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return INFINITY;
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, static_cast<double>(std::fabs(a[i] - b[i])));
  return m;
}

bool exists(const std::string& path) { return std::filesystem::exists(path); }

}  // namespace stylescope::test
