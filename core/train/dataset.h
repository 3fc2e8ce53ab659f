#pragma once
// Training data: a folder of images or a zip in the official dataset_tool layout (spec §6.6), the
// deterministic sample order that makes resumed runs continue the same data stream, and a prefetching
// loader. Image files are decoded by stb (core/io/image.h); conversions in core/io/image_transform.h.
//
// Folder datasets (recursive .png/.jpg/.jpeg, sorted by relative path; other files ignored): images whose
// header stb cannot read are skipped and counted in `unreadable`. Without a required resolution the
// dataset takes the most common image size (ties: the one met first) and uses its shorter side rounded
// down to a power of two; without required channels, the most common channel count (2, gray + alpha,
// counts as 1). Every image of another size is centre-cropped to a square and resized (stb_image_resize)
// to that resolution, every image of another channel count converted; both are counted in `converted`.
//
// Zip datasets must be uniform, as the official loader requires: one square size and one channel count
// (1, 3 or 4); a member that differs is an InputError naming it, as is a mismatch with a required
// resolution or channel count. Image headers are checked when the dataset opens.
//
// Labels: `dataset.json` at the root ({"labels": [["rel/path.png", 3], ...]} or {"labels": null}); integer
// labels become one-hot vectors of max label + 1, lists of numbers are used as they are.
#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace stylescope::train {

struct DatasetOpenOptions {
  std::optional<int> resolution;    // required resolution (power of two)
  std::optional<int> channels;      // required channels (1, 3 or 4)
  bool use_labels = true;           // read dataset.json labels when present
  bool xflip = false;               // official --mirror: the second half is the x-flipped copies
  std::optional<int64_t> max_size;  // a deterministic random subset of this many images (in path order)
};

struct DatasetInfo {
  std::string path;
  int64_t raw_size = 0;  // images (before xflip)
  int resolution = 0;
  int channels = 0;
  int label_dim = 0;       // 0: unlabeled; else the label vector length (max label + 1 for class labels)
  int64_t converted = 0;   // folder images resized/cropped/channel-converted to match
  int64_t unreadable = 0;  // folder files skipped because they are not decodable images
};

struct DatasetItem {
  torch::Tensor image;  // uint8 [C, H, W]
  torch::Tensor label;  // float32 [label_dim] (empty [0] when unlabeled)
};

class ImageDataset {
 public:
  // InputError naming the path for a missing or empty dataset, no usable images, a non-uniform zip, a zip
  // built without libzip support, or malformed labels.
  static std::shared_ptr<ImageDataset> open(const std::string& path, const DatasetOpenOptions& options = {});

  const DatasetInfo& info() const { return info_; }
  int64_t size() const { return info_.raw_size * (xflip_ ? 2 : 1); }
  // Thread-safe. std::out_of_range outside [0, size()); InputError for a file that no longer decodes.
  DatasetItem get(int64_t index) const;
  // Item `index`'s label alone (float32 [label_dim]), without reading or decoding its image: what the
  // training loop's label sampling and `metrics --data` need. Thread-safe; std::out_of_range as get().
  torch::Tensor label(int64_t index) const;

  // Implementation detail shared by the folder and zip sources (core/train/dataset_source.h).
  struct Source;

 private:
  ImageDataset() = default;
  DatasetInfo info_;
  bool xflip_ = false;
  std::shared_ptr<Source> source_;
};

// The shuffled data order of a training run: an infinite sequence of dataset indices, a pure function of
// (seed, position) so that a resumed run continues it exactly. Epoch e = position / dataset_size is a
// fresh pseudo-random permutation of [0, dataset_size) keyed by (seed, e), computed in O(1) per call
// (a keyed Feistel network with cycle walking). std::invalid_argument for size <= 0 or position < 0.
int64_t sample_index(int64_t dataset_size, uint64_t seed, int64_t position);

struct Batch {
  torch::Tensor images;    // uint8 [B, C, H, W]
  torch::Tensor labels;    // float32 [B, label_dim]
  int64_t position_after;  // the sample position that follows this batch (save it to resume)
};

// Prefetches batches on `workers` threads, a few batches ahead, so the training step is not starved.
// Batch k holds sample_index(size, seed, start_position + k * batch_size + i) for i < batch_size.
class DataLoader {
 public:
  DataLoader(std::shared_ptr<ImageDataset> dataset, int batch_size, uint64_t seed, int64_t start_position = 0,
             int workers = 2);
  ~DataLoader();  // stops and joins the workers promptly
  DataLoader(const DataLoader&) = delete;
  DataLoader& operator=(const DataLoader&) = delete;

  // Blocks until the next batch is ready; rethrows the exception a worker met building it.
  Batch next();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace stylescope::train
