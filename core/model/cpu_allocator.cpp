#include "core/model/cpu_allocator.h"

#include <sys/mman.h>

#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>
#include <c10/util/Exception.h>
#include <torch/version.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <unordered_map>

namespace stylescope {

namespace {

constexpr size_t kMinCached = size_t{1} << 20;  // smaller blocks are reused by glibc without new faults
constexpr size_t kGranule = size_t{2} << 20;    // the x86-64 transparent huge page size
constexpr size_t kMaxIdleBytes = size_t{1} << 30;

struct Cache {
  std::mutex mutex;
  std::multimap<size_t, void*> idle;         // size -> block
  std::unordered_map<void*, size_t> in_use;  // large blocks handed out, with their size
  size_t idle_bytes = 0;
};

// Never destroyed: tensors held by other static objects may be freed after this file's statics are gone.
Cache& cache() {
  static Cache* c = new Cache;
  return *c;
}

void release_idle_locked(Cache& c, size_t keep) {
  while (c.idle_bytes > keep && !c.idle.empty()) {
    auto it = std::prev(c.idle.end());  // largest first
    c.idle_bytes -= it->first;
    std::free(it->second);
    c.idle.erase(it);
  }
}

void free_block(void* ptr) {
  if (!ptr) return;
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  auto it = c.in_use.find(ptr);
  if (it == c.in_use.end()) {
    c10::free_cpu(ptr);
    return;
  }
  c.idle.emplace(it->second, ptr);
  c.idle_bytes += it->second;
  c.in_use.erase(it);
  release_idle_locked(c, kMaxIdleBytes);
}

void* new_block(size_t size) {
  void* ptr = std::aligned_alloc(kGranule, size);
  if (!ptr) return nullptr;
#ifdef MADV_HUGEPAGE
  // Advice only: 512x fewer page faults where THP is in "madvise" mode; ignored elsewhere.
  madvise(ptr, size, MADV_HUGEPAGE);
#endif
  return ptr;
}

// LibTorch 2.3 made Allocator::allocate non-const and added the pure virtual copy_data.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 3)
#define STYLESCOPE_ALLOCATE_CONST
#define STYLESCOPE_ALLOCATOR_COPY_DATA 1
#else
#define STYLESCOPE_ALLOCATE_CONST const
#endif

struct CachingCpuAllocator final : public c10::Allocator {
  c10::DataPtr allocate(size_t n) STYLESCOPE_ALLOCATE_CONST override {
    if (n < kMinCached) {
      void* ptr = c10::alloc_cpu(n);
      return {ptr, ptr, &free_block, c10::Device(c10::DeviceType::CPU)};
    }
    const size_t size = (n + kGranule - 1) / kGranule * kGranule;
    Cache& c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    void* ptr = nullptr;
    size_t got = size;
    // Reuse an idle block up to 25% larger than asked: a forward pass repeats the same sizes.
    auto it = c.idle.lower_bound(size);
    if (it != c.idle.end() && it->first <= size + size / 4) {
      ptr = it->second;
      got = it->first;
      c.idle_bytes -= got;
      c.idle.erase(it);
    } else {
      ptr = new_block(size);
      if (!ptr) {
        release_idle_locked(c, 0);
        ptr = new_block(size);
      }
      TORCH_CHECK(ptr, "CPU out of memory: could not allocate ", n, " bytes");
    }
    c.in_use.emplace(ptr, got);
    return {ptr, ptr, &free_block, c10::Device(c10::DeviceType::CPU)};
  }

  // Also what oneDNN's engine allocator (raw_allocate/raw_deallocate) frees with.
  c10::DeleterFnPtr raw_deleter() const override { return &free_block; }

#ifdef STYLESCOPE_ALLOCATOR_COPY_DATA
  void copy_data(void* dest, const void* src, std::size_t count) const override {
    default_copy_data(dest, src, count);
  }
#endif
};

}  // namespace

void use_caching_cpu_allocator() {
  static CachingCpuAllocator* allocator = [] {
    auto* a = new CachingCpuAllocator;
    c10::SetCPUAllocator(a, /*priority=*/1);
    return a;
  }();
  (void)allocator;
}

void release_cached_cpu_memory() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  release_idle_locked(c, 0);
}

size_t cached_cpu_bytes() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  return c.idle_bytes;
}

}  // namespace stylescope
