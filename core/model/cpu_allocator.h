#pragma once
// A CPU allocator that keeps freed large blocks for reuse. Tensors of more than 32 MiB (glibc's largest
// mmap threshold) are otherwise mapped fresh and page-faulted in on every forward pass: at 1024x1024 that
// was ~200k page faults, about a sixth of the time of a pass. Blocks of 1 MiB and more are rounded to
// 2 MiB, backed by transparent huge pages where the kernel allows it, and up to kMaxIdleBytes of freed
// blocks are kept; smaller requests go to c10's default CPU allocation.
#include <cstddef>

namespace stylescope {

// Makes the caching allocator ATen's CPU allocator for the rest of the process (idempotent). Tensors
// allocated before keep their own deleters, so this is safe at any time.
void use_caching_cpu_allocator();
// Returns the idle cached blocks to the system (e.g. after rendering at a large resolution).
void release_cached_cpu_memory();
// Bytes held in idle cached blocks.
size_t cached_cpu_bytes();

}  // namespace stylescope
