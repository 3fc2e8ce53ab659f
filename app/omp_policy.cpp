#include "app/omp_policy.h"

#include <unistd.h>

#include <cstdlib>
#include <string>

namespace stylescope {

void ensure_passive_omp_wait(int argc, char** argv) {
  if (std::getenv("OMP_WAIT_POLICY")) return;
  // Loading libtorch twice costs ~0.4 s: not worth it for the commands that do no parallel work.
  if (argc > 1) {
    const std::string first = argv[1];
    for (const char* quick : {"info", "convert", "--help", "-h", "--version"})
      if (first == quick) return;
  }
  if (setenv("OMP_WAIT_POLICY", "PASSIVE", 1) != 0) return;
  execv("/proc/self/exe", argv);
  // exec failed (no /proc?): carry on with the default policy.
}

}  // namespace stylescope
