// ImageDataset::open dispatches on the path; the labels, max_size and x-flip are handled here for both
// sources (core/train/image_folder.cpp, core/train/dataset_zip.cpp).
#include "core/train/dataset.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "core/io/errors.h"
#include "core/io/image_transform.h"
#include "core/train/dataset_files.h"
#include "core/train/dataset_source.h"

namespace stylescope::train {
namespace {

// The labels of a dataset, row-major [raw_size, label_dim]; shared by every copy of a DatasetItem.
struct LabeledSource : ImageDataset::Source {
  std::shared_ptr<ImageDataset::Source> inner;
  std::vector<std::vector<float>> labels;
  Image8 load(int64_t raw_index) const override { return inner->load(raw_index); }
};

bool has_zip_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".zip";
}

void check_options(const std::string& path, const DatasetOpenOptions& options) {
  if (options.resolution && (!is_power_of_two(*options.resolution) || *options.resolution < 4)) {
    throw InputError(path, "the required resolution " + std::to_string(*options.resolution) +
                               " is not a power of two >= 4");
  }
  if (options.channels && *options.channels != 1 && *options.channels != 3 && *options.channels != 4) {
    throw InputError(path,
                     "the required channel count " + std::to_string(*options.channels) + " is not 1, 3 or 4");
  }
  if (options.max_size && *options.max_size <= 0) throw InputError(path, "max_size must be positive");
}

}  // namespace

std::vector<int64_t> subset_positions(int64_t count, std::optional<int64_t> max_size) {
  std::vector<int64_t> positions;
  if (!max_size || *max_size >= count) {
    for (int64_t i = 0; i < count; ++i) positions.push_back(i);
    return positions;
  }
  // The first max_size entries of one shuffled epoch: a random subset that depends only on the count.
  for (int64_t p = 0; p < *max_size; ++p) positions.push_back(sample_index(count, 0, p));
  std::sort(positions.begin(), positions.end());
  return positions;
}

std::shared_ptr<ImageDataset> ImageDataset::open(const std::string& path, const DatasetOpenOptions& options) {
  check_options(path, options);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw InputError(path, "dataset not found");
  OpenedSource opened;
  if (std::filesystem::is_directory(path, ec)) {
    opened = open_folder_source(path, options);
  } else if (has_zip_extension(path)) {
    opened = open_zip_source(path, options);
  } else {
    throw InputError(path, "a dataset is a folder of images or a .zip made by `stylescope dataset`");
  }

  auto labeled = std::make_shared<LabeledSource>();
  labeled->inner = opened.source;
  if (options.use_labels && !opened.labels_json.empty()) {
    const std::string where = path + "/dataset.json";
    if (auto table = parse_dataset_json(opened.labels_json, where)) {
      labeled->labels = label_vectors(opened.names, *table, where, &opened.info.label_dim);
    }
  }
  std::shared_ptr<ImageDataset> dataset(new ImageDataset());
  dataset->info_ = opened.info;
  dataset->xflip_ = options.xflip;
  dataset->source_ = labeled;
  return dataset;
}

torch::Tensor ImageDataset::label(int64_t index) const {
  if (index < 0 || index >= size()) {
    throw std::out_of_range("dataset index " + std::to_string(index) + " outside [0, " +
                            std::to_string(size()) + ")");
  }
  const auto& labels = static_cast<const LabeledSource&>(*source_).labels;
  if (labels.empty()) return torch::zeros({info_.label_dim}, torch::kFloat32);
  return torch::tensor(labels[static_cast<size_t>(index % info_.raw_size)], torch::kFloat32);
}

DatasetItem ImageDataset::get(int64_t index) const {
  torch::Tensor label = this->label(index);  // checks the index
  const int64_t raw = index % info_.raw_size;
  Image8 image = source_->load(raw);
  if (index >= info_.raw_size) flip_x(image);
  DatasetItem item;
  item.image =
      torch::from_blob(image.pixels.data(), {image.height, image.width, image.channels}, torch::kUInt8)
          .permute({2, 0, 1})
          .clone(torch::MemoryFormat::Contiguous);  // owns its bytes (a 1-channel view would not)
  item.label = std::move(label);
  return item;
}

}  // namespace stylescope::train
