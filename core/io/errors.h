#pragma once
// Typed errors. InputError = bad user input (CLI exit code 2); anything else is internal (exit 1).
#include <stdexcept>
#include <string>

namespace stylescope {

// The message is one line naming the file (when known) and what was expected vs found.
class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& message) : std::runtime_error(message) {}
  InputError(const std::string& file, const std::string& message)
      : std::runtime_error(file.empty() ? message : file + ": " + message) {}
};

// A well-formed file describing something StyleScope does not support (StyleGAN3, TF pickles...).
class UnsupportedError : public InputError {
 public:
  using InputError::InputError;
};

}  // namespace stylescope
