// Two-process check of ProcessGroup over Gloo on loopback.
//   distributed_worker [--ifname NAME]   launcher: starts itself as ranks 0 and 1 and reports their outcome
//   (with RANK set)                      one rank: runs the collectives on rank-specific tensors, checks the
//   results
// Values are small integers and halves, so the sums and means are exact and compared with torch::equal.
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "core/train/distributed.h"
#include "tests/distributed/world_launcher.h"

using stylescope::train::ProcessGroup;

namespace {

int g_failures = 0;
int g_rank = -1;

void check(bool ok, const std::string& what) {
  if (!ok) {
    ++g_failures;
    std::fprintf(stderr, "rank %d: FAILED %s\n", g_rank, what.c_str());
  }
}

void check_equal(const torch::Tensor& actual, const torch::Tensor& expected, const std::string& what) {
  const bool ok = actual.sizes() == expected.sizes() && actual.scalar_type() == expected.scalar_type() &&
                  torch::equal(actual, expected);
  check(ok, what);
  if (!ok) std::cerr << "  got\n" << actual << "\n  expected\n" << expected << "\n";
}

struct Net : torch::nn::Module {
  Net() {
    fc1 = register_module("fc1", torch::nn::Linear(3, 4));
    fc2 = register_module("fc2", torch::nn::Linear(4, 2));
    frozen = register_parameter("frozen", torch::ones({2}), /*requires_grad=*/false);
  }
  torch::Tensor forward(const torch::Tensor& x) { return fc2(torch::tanh(fc1(x))) + frozen; }
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
  torch::Tensor frozen;
};

torch::Tensor batch_of_rank(int rank) {
  return torch::arange(12, torch::kFloat32).reshape({4, 3}).div(7.0).add(rank);
}

void check_all_reduce_sum(ProcessGroup& group, int r) {
  auto a = torch::arange(6, torch::kFloat32).reshape({2, 3}) + 10 * r;
  auto counts = torch::tensor({r + 1, 2 * r, -r}, torch::kInt64);
  auto base = torch::arange(6, torch::kFloat64).reshape({3, 2}) * (r + 1);
  auto transposed = base.t();  // a non-contiguous view: the result must land in `base`
  auto leaf = torch::full({2}, 0.5 * (r + 1), torch::requires_grad());
  std::vector<torch::Tensor> tensors{a, counts, transposed, leaf};
  group.all_reduce_sum(tensors);
  check_equal(a, torch::arange(6, torch::kFloat32).reshape({2, 3}) * 2 + 10, "all_reduce_sum float32");
  check_equal(counts, torch::tensor({3, 2, -1}, torch::kInt64), "all_reduce_sum int64");
  check_equal(base, torch::arange(6, torch::kFloat64).reshape({3, 2}) * 3,
              "all_reduce_sum into a transposed view");
  check_equal(leaf.detach(), torch::full({2}, 1.5), "all_reduce_sum on a leaf that requires grad");
}

void check_average_of_set_gradients(ProcessGroup& group, int r) {
  torch::manual_seed(1);
  Net net;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  net.fc1->weight.mutable_grad() = torch::full({4, 3}, 2.0f * r + 1);               // mean 2
  net.fc1->bias.mutable_grad() = torch::tensor({r == 0 ? nan : 1.0f, 4.0f + 2 * r,  // NaN -> 0, mean 5
                                                r == 0 ? inf : 1.0f, r == 0 ? -inf : 1.0f});  // +-1e5
  // fc2 has no gradients on either rank (as after a phase that did not touch it): skipped, stays undefined.
  group.average_gradients(net.parameters());
  check_equal(net.fc1->weight.grad(), torch::full({4, 3}, 2.0f), "average_gradients weight");
  check_equal(net.fc1->bias.grad(), torch::tensor({0.0f, 5.0f, 1e5f, -1e5f}),
              "average_gradients NaN/Inf clean-up");
  check(!net.fc2->weight.grad().defined() && !net.frozen.grad().defined(),
        "parameters without grad stay without");
}

// What the Trainer relies on: averaged per-rank gradients of a mean loss equal the gradient of the combined
// batch.
void check_average_of_backward(ProcessGroup& group, int r) {
  torch::manual_seed(2);
  Net net;
  net.forward(batch_of_rank(r)).square().mean().backward();
  group.average_gradients(net.parameters());

  torch::manual_seed(2);
  Net combined;
  combined.forward(torch::cat({batch_of_rank(0), batch_of_rank(1)})).square().mean().backward();
  const auto params = net.parameters();
  const auto expected = combined.parameters();
  for (size_t i = 0; i < params.size(); ++i) {
    if (!expected[i].grad().defined()) {
      check(!params[i].grad().defined(), "frozen parameter has no gradient");
      continue;
    }
    check(torch::allclose(params[i].grad(), expected[i].grad(), 1e-5, 1e-7),
          "averaged gradient " + std::to_string(i) + " equals the combined batch's");
  }
}

void check_broadcast(ProcessGroup& group, int r) {
  torch::manual_seed(100 + r);  // ranks start different
  Net net;
  auto params = net.parameters();
  group.broadcast(params, 0);
  torch::manual_seed(100);
  Net rank0;
  for (size_t i = 0; i < params.size(); ++i) {
    check_equal(params[i].detach(), rank0.parameters()[i].detach(),
                "broadcast parameter " + std::to_string(i));
  }
  std::vector<torch::Tensor> from_rank1{torch::full({3}, r == 1 ? 7 : -1, torch::kInt32)};
  group.broadcast(from_rank1, 1);
  check_equal(from_rank1[0], torch::full({3}, 7, torch::kInt32), "broadcast from root 1");
}

int run_rank() {
  auto group = ProcessGroup::from_environment(torch::kCPU, std::chrono::seconds(60));
  const int r = group->rank();
  g_rank = r;
  check(!group->is_local() && group->world_size() == 2 && r == std::atoi(std::getenv("RANK")), "group shape");
  check(group->local_rank() == r && group->device() == torch::Device("cpu"), "LOCAL_RANK read, device kept");
  check_all_reduce_sum(*group, r);
  check_average_of_set_gradients(*group, r);
  check_average_of_backward(*group, r);
  check_broadcast(*group, r);
  check(group->all_reduce_mean(r + 1.0) == 1.5, "all_reduce_mean");
  group->barrier();
  std::printf("rank %d: %s\n", r, g_failures == 0 ? "all checks passed" : "checks FAILED");
  return g_failures == 0 ? 0 : 1;
}

int launch(int argc, char** argv) {
  std::vector<std::string> extra_env;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--ifname")
      extra_env.push_back(std::string("GLOO_SOCKET_IFNAME=") + argv[i + 1]);
  }
  const auto result =
      stylescope::testing::run_world("/proc/self/exe", {}, 2, std::chrono::seconds(120), extra_env);
  for (size_t rank = 0; rank < result.exit_codes.size(); ++rank) {
    std::printf("launcher: rank %zu exited with %d\n", rank, result.exit_codes[rank]);
  }
  if (result.timed_out) std::printf("launcher: the world did not finish within 120 s and was killed\n");
  return result.all_succeeded() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (std::getenv("RANK") == nullptr) return launch(argc, argv);
  try {
    return run_rank();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rank %s: %s\n", std::getenv("RANK"), e.what());
    return 1;
  }
}
