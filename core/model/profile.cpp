#include "core/model/profile.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <vector>

#include <torch/cuda.h>

namespace stylescope::profile {

namespace {

using Clock = std::chrono::steady_clock;

std::atomic<bool> g_enabled{false};
// Profiled forward passes run on one thread at a time; the mutex only keeps a stray concurrent caller
// from corrupting the table.
std::mutex g_mutex;
std::map<std::string, double> g_totals;
std::vector<const char*> g_stack;
Clock::time_point g_mark;

// Charges the time since the last mark to the innermost open scope.
void charge_locked() {
  // CUDA kernels run asynchronously; without a sync their time would land on whichever scope waits.
  if (torch::cuda::is_available()) torch::cuda::synchronize();
  const auto now = Clock::now();
  if (!g_stack.empty())
    g_totals[g_stack.back()] += std::chrono::duration<double, std::milli>(now - g_mark).count();
  g_mark = now;
}

}  // namespace

void enable(bool on) { g_enabled.store(on, std::memory_order_relaxed); }
bool enabled() { return g_enabled.load(std::memory_order_relaxed); }

std::map<std::string, double> take() {
  std::lock_guard<std::mutex> lock(g_mutex);
  std::map<std::string, double> out;
  out.swap(g_totals);
  return out;
}

Scope::Scope(const char* kind) : active_(enabled()) {
  if (!active_) return;
  std::lock_guard<std::mutex> lock(g_mutex);
  charge_locked();
  g_stack.push_back(kind);
}

Scope::~Scope() {
  if (!active_) return;
  std::lock_guard<std::mutex> lock(g_mutex);
  charge_locked();
  if (!g_stack.empty()) g_stack.pop_back();
}

}  // namespace stylescope::profile
