#pragma once
// Optional wall-clock breakdown of forward passes by kind of work (`stylescope bench --profile`).
// A ProfileScope costs one relaxed atomic load when profiling is off. Scopes nest; each kind is charged
// its exclusive time (an inner scope's time is not also counted in the outer one).
#include <map>
#include <string>

namespace stylescope::profile {

void enable(bool on);
bool enabled();
// Accumulated exclusive milliseconds per kind since the last reset; clears the table.
std::map<std::string, double> take();

class Scope {
 public:
  explicit Scope(const char* kind);
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  bool active_;
};

}  // namespace stylescope::profile
