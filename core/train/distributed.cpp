#include "core/train/distributed.h"

#include <charconv>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/io/errors.h"

namespace stylescope::train {
namespace {

// A whole decimal number with nothing around it; anything else names the variable in the error.
int parse_int_variable(const char* name, const char* text, int min_value, int max_value,
                       const char* expected) {
  const std::string s(text);
  int value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || value < min_value ||
      value > max_value) {
    throw InputError(std::string("environment variable ") + name + "='" + s + "' is not " + expected);
  }
  return value;
}

const char* require_variable(const EnvLookup& lookup, const char* name, int world_size) {
  const char* value = lookup(name);
  if (value == nullptr || *value == '\0') {
    throw InputError(std::string("environment variable ") + name +
                     " is not set, but WORLD_SIZE=" + std::to_string(world_size) +
                     " asks for a distributed run (launch with torchrun or set " +
                     "MASTER_ADDR, MASTER_PORT, RANK and WORLD_SIZE)");
  }
  return value;
}

// Tensors grouped by dtype and device, in first-seen order, so each group is one flat buffer and one
// collective.
std::vector<std::vector<size_t>> group_by_dtype_and_device(const std::vector<torch::Tensor>& tensors) {
  std::vector<std::vector<size_t>> groups;
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (!tensors[i].defined()) {
      throw std::invalid_argument("ProcessGroup: tensor " + std::to_string(i) + " of the list is undefined");
    }
    bool placed = false;
    for (auto& group : groups) {
      const auto& first = tensors[group.front()];
      if (first.scalar_type() == tensors[i].scalar_type() && first.device() == tensors[i].device()) {
        group.push_back(i);
        placed = true;
        break;
      }
    }
    if (!placed) groups.push_back({i});
  }
  return groups;
}

torch::Tensor pack(const std::vector<torch::Tensor>& tensors, const std::vector<size_t>& indices) {
  std::vector<torch::Tensor> flat_parts;
  flat_parts.reserve(indices.size());
  for (size_t i : indices) flat_parts.push_back(tensors[i].detach().reshape({-1}));
  return torch::cat(flat_parts);
}

// Writes slices of `flat` back into the tensors, in place (views and non-contiguous tensors included).
void unpack(const torch::Tensor& flat, const std::vector<torch::Tensor>& tensors,
            const std::vector<size_t>& indices) {
  int64_t offset = 0;
  for (size_t i : indices) {
    const auto& target = tensors[i];
    const int64_t n = target.numel();
    target.detach().copy_(flat.slice(0, offset, offset + n).view(target.sizes()));
    offset += n;
  }
}

}  // namespace

LaunchEnvironment read_launch_environment(const EnvLookup& lookup) {
  LaunchEnvironment env;
  const char* world = lookup("WORLD_SIZE");
  if (world == nullptr) return env;
  env.world_size = parse_int_variable("WORLD_SIZE", world, 1, 1 << 20, "a whole number >= 1");
  if (const char* local_rank = lookup("LOCAL_RANK")) {
    env.local_rank = parse_int_variable("LOCAL_RANK", local_rank, 0, 1 << 20, "a whole number >= 0");
  }
  if (env.world_size == 1) {
    // A world of one needs no rendezvous; a RANK other than 0 would still mean a confused launch.
    if (const char* rank = lookup("RANK")) {
      env.rank = parse_int_variable("RANK", rank, 0, 0, "0 (WORLD_SIZE is 1)");
    }
    return env;
  }
  const std::string rank_range = "a whole number from 0 to " + std::to_string(env.world_size - 1) +
                                 " (WORLD_SIZE is " + std::to_string(env.world_size) + ")";
  env.rank = parse_int_variable("RANK", require_variable(lookup, "RANK", env.world_size), 0,
                                env.world_size - 1, rank_range.c_str());
  env.master_addr = require_variable(lookup, "MASTER_ADDR", env.world_size);
  env.master_port = parse_int_variable("MASTER_PORT", require_variable(lookup, "MASTER_PORT", env.world_size),
                                       1, 65535, "a port number from 1 to 65535");
  return env;
}

std::unique_ptr<ProcessGroup> ProcessGroup::from_environment(torch::Device device,
                                                             std::chrono::milliseconds timeout) {
  return create(read_launch_environment([](const char* name) { return std::getenv(name); }), device, timeout);
}

std::unique_ptr<ProcessGroup> ProcessGroup::create(const LaunchEnvironment& env, torch::Device device,
                                                   std::chrono::milliseconds timeout) {
  device = device_for_rank(device, env);
  if (env.world_size <= 1) return std::make_unique<ProcessGroup>(env, device, nullptr);
  if (!distributed_support_compiled()) {
    throw InputError(
        "environment variable WORLD_SIZE=" + std::to_string(env.world_size) +
        " asks for a distributed run, but this StyleScope was built without distributed support " +
        "(STYLESCOPE_DISTRIBUTED is OFF: it needs LibTorch's c10d headers and libgloo-dev)");
  }
  return std::make_unique<ProcessGroup>(env, device, detail::make_c10d_collectives(env, device, timeout));
}

torch::Device device_for_rank(torch::Device requested, const LaunchEnvironment& env) {
  if (requested.is_cuda() && !requested.has_index() && env.world_size > 1) {
    return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(env.local_rank));
  }
  return requested;
}

ProcessGroup::ProcessGroup(const LaunchEnvironment& env, torch::Device device,
                           std::unique_ptr<Collectives> collectives)
    : env_(env), device_(device), collectives_(std::move(collectives)) {
  if (collectives_ == nullptr && env_.world_size != 1) {
    throw std::invalid_argument("ProcessGroup: a world of " + std::to_string(env_.world_size) +
                                " processes needs a communication backend");
  }
}

ProcessGroup::~ProcessGroup() = default;

void ProcessGroup::all_reduce_sum(std::vector<torch::Tensor>& tensors) {
  const auto groups = group_by_dtype_and_device(tensors);  // validates in a world of one too
  if (is_local()) return;
  torch::NoGradGuard no_grad;
  for (const auto& group : groups) {
    torch::Tensor flat = pack(tensors, group);
    collectives_->all_reduce_sum(flat);
    unpack(flat, tensors, group);
  }
}

void ProcessGroup::average_gradients(const std::vector<torch::Tensor>& params) {
  std::vector<torch::Tensor> grads;
  for (const auto& param : params) {
    if (param.grad().defined()) grads.push_back(param.grad());
  }
  if (grads.empty()) return;
  torch::NoGradGuard no_grad;
  std::vector<size_t> all(grads.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  torch::Tensor flat = pack(grads, all);
  if (!is_local()) {
    collectives_->all_reduce_sum(flat);
    flat.div_(env_.world_size);
  }
  flat.nan_to_num_(0.0, 1e5, -1e5);
  unpack(flat, grads, all);
}

void ProcessGroup::broadcast(std::vector<torch::Tensor>& tensors, int root) {
  if (root < 0 || root >= env_.world_size) {
    throw std::invalid_argument("ProcessGroup::broadcast: root " + std::to_string(root) +
                                " is not a rank of a world of " + std::to_string(env_.world_size));
  }
  const auto groups = group_by_dtype_and_device(tensors);
  if (is_local()) return;
  torch::NoGradGuard no_grad;
  for (const auto& group : groups) {
    torch::Tensor flat = pack(tensors, group);
    collectives_->broadcast(flat, root);
    unpack(flat, tensors, group);
  }
}

void ProcessGroup::barrier() {
  if (!is_local()) collectives_->barrier();
}

double ProcessGroup::all_reduce_mean(double value) {
  if (is_local()) return value;
  torch::Tensor sum = torch::full({1}, value, torch::TensorOptions().dtype(torch::kFloat64));
  sum = sum.to(collectives_->device());
  collectives_->all_reduce_sum(sum);
  return sum.item<double>() / env_.world_size;
}

bool distributed_support_compiled() {
#ifdef STYLESCOPE_HAVE_DISTRIBUTED
  return true;
#else
  return false;
#endif
}

#ifndef STYLESCOPE_HAVE_DISTRIBUTED
namespace detail {
std::unique_ptr<Collectives> make_c10d_collectives(const LaunchEnvironment&, torch::Device,
                                                   std::chrono::milliseconds) {
  throw std::logic_error("make_c10d_collectives: built without STYLESCOPE_DISTRIBUTED");
}
}  // namespace detail
#endif

}  // namespace stylescope::train
