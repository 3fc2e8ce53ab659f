#pragma once
// OpenMP threads that spin while waiting for work starve everything else on a busy machine: with two cores
// shared with another job, `generate` of 60 small images took 21 s instead of 1 s, and the explorer's UI
// thread competes with the render thread the same way. libgomp reads OMP_WAIT_POLICY once, when it is
// loaded (before main), so the only way to choose it for our own process is to set it and exec again.
namespace stylescope {

// Re-executes the program with OMP_WAIT_POLICY=PASSIVE unless the user already chose a policy or the
// command is a quick one. Returns only when no re-exec happened.
void ensure_passive_omp_wait(int argc, char** argv);

}  // namespace stylescope
