// The c10d backend of ProcessGroup: TCPStore rendezvous, then ProcessGroupGloo (CPU) or ProcessGroupNCCL
// (CUDA). Compiled only with STYLESCOPE_DISTRIBUTED (CMakeLists.txt drops this file otherwise). Written
// against the C++ API of both LibTorch 1.13 (Debian 12, tested) and 2.x, where ProcessGroupGloo/NCCL derive
// from c10d::Backend instead of c10d::ProcessGroup; the calls used here (constructors, Options::create,
// allreduce/broadcast/barrier returning c10d::Work) have the same shape in both.
#include <torch/version.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <string>

#include "core/io/errors.h"
#include "core/train/distributed.h"

#ifndef USE_C10D_GLOO
#error \
    "STYLESCOPE_DISTRIBUTED needs a LibTorch built with Gloo (USE_C10D_GLOO); configure with -DSTYLESCOPE_DISTRIBUTED=OFF"
#endif

namespace stylescope::train::detail {
namespace {

#if TORCH_VERSION_MAJOR >= 2
using Backend = c10d::Backend;
#else
using Backend = c10d::ProcessGroup;
#endif

std::string first_line(const std::exception& e) {
  std::string text = e.what();
  if (const auto* c10_error = dynamic_cast<const c10::Error*>(&e)) text = c10_error->what_without_backtrace();
  return text.substr(0, text.find('\n'));
}

std::string describe(const LaunchEnvironment& env) {
  return "rank " + std::to_string(env.rank) + " of " + std::to_string(env.world_size) +
         " at MASTER_ADDR=" + env.master_addr + " MASTER_PORT=" + std::to_string(env.master_port);
}

bool is_loopback(const std::string& address) {
  return address.rfind("127.", 0) == 0 || address == "localhost" || address == "::1";
}

// Which network interface Gloo binds. GLOO_SOCKET_IFNAME (comma-separated) wins, as in torch.distributed. All
// ranks on loopback: 127.0.0.1, so a machine whose hostname does not resolve still works. Otherwise Gloo's
// default (the address the hostname resolves to, falling back to loopback), which is what torch.distributed
// does too.
std::vector<std::shared_ptr<::gloo::transport::Device>> gloo_devices(const std::string& master_addr) {
  std::vector<std::shared_ptr<::gloo::transport::Device>> devices;
  if (const char* ifnames = std::getenv("GLOO_SOCKET_IFNAME"); ifnames != nullptr && *ifnames != '\0') {
    std::stringstream list(ifnames);
    for (std::string name; std::getline(list, name, ',');) {
      if (!name.empty()) devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(name));
    }
  }
  if (devices.empty()) {
    devices.push_back(is_loopback(master_addr) ? c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1")
                                               : c10d::ProcessGroupGloo::createDefaultDevice());
  }
  return devices;
}

c10::intrusive_ptr<Backend> make_backend(const c10::intrusive_ptr<c10d::Store>& store,
                                         const LaunchEnvironment& env, torch::Device device,
                                         std::chrono::milliseconds timeout) {
  if (device.is_cuda()) {
#ifdef USE_C10D_NCCL
    auto options = c10d::ProcessGroupNCCL::Options::create();
    options->timeout = timeout;
    return c10::make_intrusive<c10d::ProcessGroupNCCL>(store, env.rank, env.world_size, options);
#else
    throw InputError("distributed training on " + device.str() +
                     " needs a LibTorch built with NCCL; this one has only Gloo (use --device cpu)");
#endif
  }
  auto options = c10d::ProcessGroupGloo::Options::create(timeout);
  options->devices = gloo_devices(env.master_addr);
  options->threads = static_cast<int>(options->devices.size()) * 2;  // torch.distributed's choice
  return c10::make_intrusive<c10d::ProcessGroupGloo>(store, env.rank, env.world_size, options);
}

class C10dCollectives final : public Collectives {
 public:
  C10dCollectives(c10::intrusive_ptr<c10d::Store> store, c10::intrusive_ptr<Backend> backend,
                  torch::Device device)
      : store_(std::move(store)), backend_(std::move(backend)), device_(device) {}

  void all_reduce_sum(torch::Tensor& flat) override {
    std::vector<at::Tensor> list{flat};
    c10d::AllreduceOptions options;
    options.reduceOp = c10d::ReduceOp::SUM;
    run("all_reduce", [&] { return backend_->allreduce(list, options); });
  }

  void broadcast(torch::Tensor& flat, int root) override {
    std::vector<at::Tensor> list{flat};
    c10d::BroadcastOptions options;
    options.rootRank = root;
    run("broadcast", [&] { return backend_->broadcast(list, options); });
  }

  void barrier() override {
    run("barrier", [&] { return backend_->barrier(c10d::BarrierOptions()); });
  }

  torch::Device device() const override { return device_; }

 private:
  // Blocks until the collective is done; the backend's timeout (set at creation) turns a lost peer into an
  // error.
  template <typename Start>
  void run(const char* what, Start start) {
    try {
      start()->wait();
    } catch (const std::exception& e) {
      throw std::runtime_error(std::string("distributed ") + what + " failed: " + first_line(e));
    }
  }

  c10::intrusive_ptr<c10d::Store> store_;  // the backend keeps using it for its own bookkeeping
  c10::intrusive_ptr<Backend> backend_;
  torch::Device device_;
};

}  // namespace

std::unique_ptr<Collectives> make_c10d_collectives(const LaunchEnvironment& env, torch::Device device,
                                                   std::chrono::milliseconds timeout) {
  try {
    c10d::TCPStoreOptions store_options;
    store_options.port = static_cast<std::uint16_t>(env.master_port);
    store_options.isServer = env.rank == 0;
    store_options.numWorkers = static_cast<std::size_t>(env.world_size);
    store_options.waitWorkers = true;
    store_options.timeout = timeout;
    auto tcp_store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, store_options);
    c10::intrusive_ptr<c10d::Store> store = c10::make_intrusive<c10d::PrefixStore>("stylescope/", tcp_store);
    auto backend = make_backend(store, env, device, timeout);
    return std::make_unique<C10dCollectives>(store, backend, device);
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& e) {
    throw std::runtime_error("distributed rendezvous as " + describe(env) + " failed: " + first_line(e));
  }
}

}  // namespace stylescope::train::detail
