#pragma once
// Data-parallel communication between training processes (torch c10d: Gloo on CPU, NCCL on CUDA when compiled
// in). A process that was not started by a launcher is a world of one: every operation is then local and
// opens no socket, so the Trainer calls the same functions whether it runs alone or as one of many.
#include <torch/torch.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace stylescope::train {

// The rendezvous variables torchrun (and torch.distributed.launch, SLURM wrappers...) set for each process.
struct LaunchEnvironment {
  int world_size = 1;
  int rank = 0;
  int local_rank = 0;
  std::string master_addr;  // only read when world_size > 1
  int master_port = 0;
};

// Returns the value of an environment variable, or nullptr when it is unset (std::getenv's contract).
using EnvLookup = std::function<const char*(const char*)>;

// Reads WORLD_SIZE, RANK, LOCAL_RANK, MASTER_ADDR, MASTER_PORT. WORLD_SIZE unset or 1 gives a world of one
// and the other variables are not required. Malformed or contradictory values throw InputError naming the
// variable.
LaunchEnvironment read_launch_environment(const EnvLookup& lookup);

// A CUDA device without an index becomes cuda:LOCAL_RANK when several processes share a machine's GPUs.
torch::Device device_for_rank(torch::Device requested, const LaunchEnvironment& env);

// Whether this build can join a world of more than one process (STYLESCOPE_DISTRIBUTED).
bool distributed_support_compiled();

// The collective operations of one backend; implemented over c10d in distributed_c10d.cpp.
class Collectives {
 public:
  virtual ~Collectives() = default;
  // Sum over ranks, in place. One tensor per call: all ranks pass tensors of the same dtype and size.
  virtual void all_reduce_sum(torch::Tensor& flat) = 0;
  virtual void broadcast(torch::Tensor& flat, int root) = 0;
  virtual void barrier() = 0;
  // Where this backend's tensors live (CPU for Gloo, the CUDA device for NCCL).
  virtual torch::Device device() const = 0;
};

class ProcessGroup {
 public:
  // How long a rendezvous or one collective may wait for the other processes before it fails instead of
  // hanging.
  static constexpr std::chrono::seconds kDefaultTimeout{1800};

  // Reads the launcher's variables from the process environment (see read_launch_environment). WORLD_SIZE >
  // 1: rendezvous through a c10d TCPStore served by rank 0 at MASTER_ADDR:MASTER_PORT, then Gloo (CPU device)
  // or NCCL (CUDA device, when this LibTorch has it). InputError for bad values or a build without
  // distributed support; std::runtime_error when the rendezvous fails (port in use, unreachable master,
  // timeout).
  static std::unique_ptr<ProcessGroup> from_environment(torch::Device device,
                                                        std::chrono::milliseconds timeout = kDefaultTimeout);
  static std::unique_ptr<ProcessGroup> create(const LaunchEnvironment& env, torch::Device device,
                                              std::chrono::milliseconds timeout = kDefaultTimeout);

  // `collectives` may be null only for a world of one.
  ProcessGroup(const LaunchEnvironment& env, torch::Device device, std::unique_ptr<Collectives> collectives);
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  int rank() const { return env_.rank; }
  int local_rank() const { return env_.local_rank; }
  int world_size() const { return env_.world_size; }
  bool is_local() const { return collectives_ == nullptr; }
  // The device this process should train on: the requested one, except that a CUDA device without an index
  // becomes cuda:LOCAL_RANK in a world of several (one GPU per process, as torchrun expects).
  torch::Device device() const { return device_; }

  // Sum over ranks, in place and blocking. Tensors may differ in shape, dtype and layout (views are fine);
  // every rank passes the same list. Tensors are packed per dtype so each dtype costs one collective.
  void all_reduce_sum(std::vector<torch::Tensor>& tensors);

  // The official training loop's gradient step: the defined gradients of `params` (undefined ones are
  // skipped, so every rank must have the same parameters with gradients) are flattened into one tensor,
  // summed over ranks, divided by the world size, cleaned with nan_to_num(nan=0, posinf=1e5, neginf=-1e5) and
  // copied back in place. The clean-up runs in a world of one too, as in the official loop, so a caller never
  // needs a separate pass.
  void average_gradients(const std::vector<torch::Tensor>& params);

  // Every rank's tensors become root's, in place (e.g. the initial weights, so all ranks start equal).
  void broadcast(std::vector<torch::Tensor>& tensors, int root = 0);

  void barrier();

  // The mean of `value` over ranks (for statistics).
  double all_reduce_mean(double value);

 private:
  LaunchEnvironment env_;
  torch::Device device_;
  std::unique_ptr<Collectives> collectives_;  // null in a world of one
};

namespace detail {
// Builds the c10d backend; defined only when STYLESCOPE_HAVE_DISTRIBUTED.
std::unique_ptr<Collectives> make_c10d_collectives(const LaunchEnvironment& env, torch::Device device,
                                                   std::chrono::milliseconds timeout);
}  // namespace detail

}  // namespace stylescope::train
