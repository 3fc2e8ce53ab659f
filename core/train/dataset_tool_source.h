#pragma once
// Internal to the dataset tool: the images of a source in order, each with its name (for messages) and
// label (an integer class, a list of numbers, or null).
#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/io/image.h"

namespace stylescope::train {

class ToolSource {
 public:
  virtual ~ToolSource() = default;
  virtual std::string kind() const = 0;
  virtual int64_t size() const = 0;
  virtual std::string name(int64_t index) const = 0;  // a path or member, for error messages
  virtual Image8 load(int64_t index) = 0;             // InputError naming the image when it does not decode
  virtual nlohmann::json label(int64_t index) const = 0;
};

// A folder of IDX files, a dataset zip or a folder of images (in that order of detection); InputError for
// anything else or a source without images.
std::unique_ptr<ToolSource> open_tool_source(const std::string& path);

}  // namespace stylescope::train
