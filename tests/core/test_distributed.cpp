// ProcessGroup without a launcher (a world of one) and the launcher variables' validation. The two-process
// checks over Gloo are tests/distributed/distributed_worker.cpp (ctest: distributed.*).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <limits>
#include <map>
#include <string>

#include "core/io/errors.h"
#include "core/train/distributed.h"

using stylescope::InputError;
using stylescope::train::LaunchEnvironment;
using stylescope::train::ProcessGroup;
using stylescope::train::read_launch_environment;

namespace {

LaunchEnvironment read(const std::map<std::string, std::string>& vars) {
  return read_launch_environment([&](const char* name) -> const char* {
    const auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  });
}

// The error must be an InputError whose one-line message names the variable.
void expect_input_error_naming(const std::map<std::string, std::string>& vars, const std::string& variable) {
  try {
    read(vars);
    ADD_FAILURE() << "no error for " << variable;
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(variable), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

int open_sockets() {
  int count = 0;
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  while (dirent* entry = readdir(dir)) {
    char target[256] = {};
    const std::string path = std::string("/proc/self/fd/") + entry->d_name;
    const ssize_t n = readlink(path.c_str(), target, sizeof(target) - 1);
    if (n > 0 && std::string(target, n).rfind("socket:", 0) == 0) ++count;
  }
  closedir(dir);
  return count;
}

const std::map<std::string, std::string> kTwoRanks = {{"WORLD_SIZE", "2"},
                                                      {"RANK", "1"},
                                                      {"LOCAL_RANK", "1"},
                                                      {"MASTER_ADDR", "10.0.0.5"},
                                                      {"MASTER_PORT", "29500"}};

std::map<std::string, std::string> with(std::map<std::string, std::string> vars, const std::string& name,
                                        const char* value) {
  if (value == nullptr) {
    vars.erase(name);
  } else {
    vars[name] = value;
  }
  return vars;
}

}  // namespace

TEST(LaunchEnvironment, WithoutLauncherIsAWorldOfOne) {
  const auto env = read({});
  EXPECT_EQ(env.world_size, 1);
  EXPECT_EQ(env.rank, 0);
  const auto one = read({{"WORLD_SIZE", "1"}, {"RANK", "0"}});  // a launcher started just one process
  EXPECT_EQ(one.world_size, 1);
  EXPECT_TRUE(one.master_addr.empty());
}

TEST(LaunchEnvironment, ReadsTorchrunVariables) {
  const auto env = read(kTwoRanks);
  EXPECT_EQ(env.world_size, 2);
  EXPECT_EQ(env.rank, 1);
  EXPECT_EQ(env.local_rank, 1);
  EXPECT_EQ(env.master_addr, "10.0.0.5");
  EXPECT_EQ(env.master_port, 29500);
  EXPECT_EQ(read(with(kTwoRanks, "LOCAL_RANK", nullptr)).local_rank, 0);  // optional
}

TEST(LaunchEnvironment, BadValuesNameTheVariable) {
  for (const char* bad : {"", "two", "0", "-2", "2 ", "99999999999"}) {
    expect_input_error_naming(with(kTwoRanks, "WORLD_SIZE", bad), "WORLD_SIZE");
  }
  for (const char* bad : {"2", "-1", "x", "1.0"})
    expect_input_error_naming(with(kTwoRanks, "RANK", bad), "RANK");
  expect_input_error_naming(with(kTwoRanks, "RANK", nullptr), "RANK");
  expect_input_error_naming({{"WORLD_SIZE", "1"}, {"RANK", "1"}}, "RANK");
  for (const char* bad : {"0", "65536", "http", ""}) {
    expect_input_error_naming(with(kTwoRanks, "MASTER_PORT", bad), "MASTER_PORT");
  }
  expect_input_error_naming(with(kTwoRanks, "MASTER_PORT", nullptr), "MASTER_PORT");
  expect_input_error_naming(with(kTwoRanks, "MASTER_ADDR", nullptr), "MASTER_ADDR");
  expect_input_error_naming(with(kTwoRanks, "MASTER_ADDR", ""), "MASTER_ADDR");
  expect_input_error_naming(with(kTwoRanks, "LOCAL_RANK", "-1"), "LOCAL_RANK");
}

TEST(LaunchEnvironment, OneGpuPerLocalRank) {
  using stylescope::train::device_for_rank;
  const auto env = read(kTwoRanks);  // LOCAL_RANK=1
  EXPECT_EQ(device_for_rank(torch::Device("cuda"), env), torch::Device("cuda:1"));
  EXPECT_EQ(device_for_rank(torch::Device("cuda:0"), env),
            torch::Device("cuda:0"));  // an explicit choice stays
  EXPECT_EQ(device_for_rank(torch::Device("cpu"), env), torch::Device("cpu"));
  EXPECT_EQ(device_for_rank(torch::Device("cuda"), read({})), torch::Device("cuda"));
}

TEST(ProcessGroup, FromEnvironmentWithoutLauncherIsLocalAndOpensNoSocket) {
  for (const char* name : {"WORLD_SIZE", "RANK", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"}) unsetenv(name);
  const int sockets_before = open_sockets();
  ASSERT_GE(sockets_before, 0);
  auto group = ProcessGroup::from_environment(torch::kCPU);
  EXPECT_TRUE(group->is_local());
  EXPECT_EQ(group->rank(), 0);
  EXPECT_EQ(group->world_size(), 1);
  EXPECT_EQ(group->device(), torch::Device("cpu"));

  auto a = torch::arange(4, torch::kFloat32);
  std::vector<torch::Tensor> tensors{a};
  group->all_reduce_sum(tensors);
  EXPECT_TRUE(torch::equal(a, torch::arange(4, torch::kFloat32)));
  group->broadcast(tensors, 0);
  EXPECT_TRUE(torch::equal(a, torch::arange(4, torch::kFloat32)));
  EXPECT_THROW(group->broadcast(tensors, 1), std::invalid_argument);
  EXPECT_EQ(group->all_reduce_mean(2.5), 2.5);
  group->barrier();
  EXPECT_EQ(open_sockets(), sockets_before);
}

TEST(ProcessGroup, LocalAverageGradientsCleansLikeTheOfficialLoop) {
  auto group = ProcessGroup::create(LaunchEnvironment{}, torch::kCPU);
  torch::nn::Linear linear(2, 3);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  linear->weight.mutable_grad() = torch::tensor({{1.0f, nan}, {inf, -inf}, {0.25f, -3.0f}});
  group->average_gradients(linear->parameters());  // bias has no grad: skipped
  EXPECT_TRUE(
      torch::equal(linear->weight.grad(), torch::tensor({{1.0f, 0.0f}, {1e5f, -1e5f}, {0.25f, -3.0f}})));
  EXPECT_FALSE(linear->bias.grad().defined());
}

TEST(ProcessGroup, SeveralProcessesNeedSupportOrAReachableMaster) {
  LaunchEnvironment env = read(kTwoRanks);
  if (!stylescope::train::distributed_support_compiled()) {
    try {
      ProcessGroup::create(env, torch::kCPU);
      ADD_FAILURE() << "a world of two was accepted without distributed support";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("WORLD_SIZE"), std::string::npos) << e.what();
    }
    return;
  }
  // Rank 1 with no rank 0 serving the store: a rendezvous error after the timeout, not a hang.
  env.master_addr = "127.0.0.1";
  env.master_port = 1;  // privileged and unused: nothing listens there
  try {
    ProcessGroup::create(env, torch::kCPU, std::chrono::seconds(2));
    ADD_FAILURE() << "a rendezvous with nobody succeeded";
  } catch (const InputError& e) {
    ADD_FAILURE() << "an unreachable master is not bad input: " << e.what();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("rendezvous"), std::string::npos) << e.what();
  }
}
