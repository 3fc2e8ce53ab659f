#pragma once
// A tiny torchrun for tests: starts N copies of a program on loopback with the variables torchrun sets and
// waits for them with a deadline, so a hung rendezvous or collective fails the test instead of blocking
// ctest.
#include <chrono>
#include <string>
#include <vector>

namespace stylescope::testing {

// A TCP port on 127.0.0.1 that was free a moment ago (bind port 0, read it back, close).
int free_loopback_port();

struct WorldResult {
  bool timed_out = false;
  std::vector<int> exit_codes;  // per rank; -signal for a process killed by a signal
  bool all_succeeded() const;
};

// Runs `program args...` as ranks 0..world_size-1 with MASTER_ADDR=127.0.0.1, a free MASTER_PORT, RANK,
// LOCAL_RANK, WORLD_SIZE and LOCAL_WORLD_SIZE, plus `extra_env` ("NAME=value"). Inherited launcher variables
// are replaced. When one rank fails the others are killed (they would otherwise wait for it until their
// timeout); at the deadline all are killed and timed_out is set.
WorldResult run_world(const std::string& program, const std::vector<std::string>& args, int world_size,
                      std::chrono::seconds deadline, const std::vector<std::string>& extra_env = {});

}  // namespace stylescope::testing
