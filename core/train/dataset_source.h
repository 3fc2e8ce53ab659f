#pragma once
// Internal to ImageDataset: where the decoded images come from (a folder or a zip), and the steps that
// both kinds share when a dataset opens.
#include <memory>
#include <string>
#include <vector>

#include "core/io/image.h"
#include "core/train/dataset.h"

namespace stylescope::train {

struct ImageDataset::Source {
  virtual ~Source() = default;
  // The raw image `raw_index`, already at the dataset's resolution and channel count. Thread-safe.
  virtual Image8 load(int64_t raw_index) const = 0;
};

// A source opened with its image names (relative, for labels) and what info it fills in.
struct OpenedSource {
  std::shared_ptr<ImageDataset::Source> source;
  std::vector<std::string> names;  // one per raw image, in order
  std::string labels_json;         // dataset.json text; empty when absent
  DatasetInfo info;                // path, raw_size, resolution, channels, converted, unreadable
};

OpenedSource open_folder_source(const std::string& path, const DatasetOpenOptions& options);
OpenedSource open_zip_source(const std::string& path, const DatasetOpenOptions& options);

// The sorted positions of a deterministic random subset of `max_size` of `count` items (all when fewer).
std::vector<int64_t> subset_positions(int64_t count, std::optional<int64_t> max_size);

}  // namespace stylescope::train
