// Folder datasets: every readable image is converted to one resolution and channel count
// (core/train/dataset.h states the rule).
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/io/errors.h"
#include "core/io/image_transform.h"
#include "core/train/dataset_files.h"
#include "core/train/dataset_source.h"

namespace stylescope::train {
namespace {

struct FolderSource : ImageDataset::Source {
  std::vector<std::string> paths;
  int resolution = 0, channels = 0;

  Image8 load(int64_t raw_index) const override {
    Image8 image = read_image(paths[static_cast<size_t>(raw_index)]);
    if (image.channels != channels) image = convert_channels(image, channels);
    return crop_resize_square(image, resolution);
  }
};

// The most frequent value; ties go to the value met first.
template <typename T>
T most_common(const std::vector<T>& values) {
  std::map<T, int64_t> counts;
  T best = values.front();
  int64_t best_count = 0;
  for (const T& v : values) {
    const int64_t c = ++counts[v];
    if (c > best_count) best = v, best_count = c;
  }
  return best;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "cannot read");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

OpenedSource open_folder_source(const std::string& path, const DatasetOpenOptions& options) {
  namespace fs = std::filesystem;
  const std::vector<std::string> files = list_image_files(path);
  if (files.empty()) throw InputError(path, "no .png, .jpg or .jpeg images in the folder");

  std::vector<std::string> names;
  std::vector<ImageHeader> headers;
  int64_t unreadable = 0;
  for (const std::string& name : files) {
    const auto header = read_image_header((fs::path(path) / name).string());
    if (!header || header->width <= 0 || header->height <= 0) {
      ++unreadable;
      continue;
    }
    names.push_back(name);
    headers.push_back(*header);
  }
  if (names.empty()) {
    throw InputError(path,
                     "no usable images: all " + std::to_string(unreadable) + " image files are unreadable");
  }

  std::vector<std::pair<int, int>> sizes;
  std::vector<int> channel_counts;
  for (const ImageHeader& h : headers) {
    sizes.emplace_back(h.width, h.height);
    channel_counts.push_back(h.channels == 2 ? 1 : h.channels);
  }
  auto source = std::make_shared<FolderSource>();
  if (options.resolution) {
    source->resolution = *options.resolution;
  } else {
    const auto [w, h] = most_common(sizes);
    source->resolution = floor_power_of_two(std::min(w, h));
  }
  source->channels = options.channels ? *options.channels : most_common(channel_counts);

  OpenedSource opened;
  for (int64_t i : subset_positions(static_cast<int64_t>(names.size()), options.max_size)) {
    const ImageHeader& h = headers[static_cast<size_t>(i)];
    if (h.width != source->resolution || h.height != source->resolution || h.channels != source->channels) {
      ++opened.info.converted;
    }
    opened.names.push_back(names[static_cast<size_t>(i)]);
    source->paths.push_back((fs::path(path) / names[static_cast<size_t>(i)]).string());
  }
  const fs::path labels = fs::path(path) / "dataset.json";
  std::error_code ec;
  if (fs::is_regular_file(labels, ec)) opened.labels_json = read_text(labels.string());

  opened.info.path = path;
  opened.info.raw_size = static_cast<int64_t>(opened.names.size());
  opened.info.resolution = source->resolution;
  opened.info.channels = source->channels;
  opened.info.unreadable = unreadable;
  opened.source = source;
  return opened;
}

}  // namespace stylescope::train
