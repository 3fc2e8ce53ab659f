#pragma once
// `stylescope dataset`: writes a zip, or a folder, in the official dataset_tool layout (spec §6.6) from a
// folder of images, another dataset zip, or a folder of MNIST-style IDX files. Torch-free.
//
// Layout (a folder holds the same files): stored (uncompressed) members `{i:08d}[0:5]/img{i:08d}.png` (PNG
// mode L or RGB) in source order, then `dataset.json` with {"labels": [[name, label], ...]} when every image
// has a label, else null. Sources: a folder is read recursively in sorted path order with its dataset.json
// labels; a zip in sorted member order with its dataset.json; an IDX folder (train-images-idx3-ubyte[.gz],
// optional train-labels-idx1-ubyte[.gz]) gives 1-channel images with their class labels. Transforms: none
// (every image must already share one square power-of-two size, or with `resolution` be square and is resized
// to it), "center-crop" (centre square, resized to `resolution`, default: the first image's shorter side
// rounded down to a power of two), "pad" (centred black padding to `resolution`, default: the next power of
// two of the first image's longer side, e.g. 28 -> 32).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace stylescope::train {

struct DatasetToolOptions {
  std::string source;
  std::string dest;  // a .zip, or else a folder, that must not exist yet
  std::optional<int> resolution;
  std::string transform;  // "", "center-crop" or "pad"
};

struct DatasetToolSummary {
  std::string kind;  // "folder", "zip" or "idx"
  int64_t images = 0;
  int resolution = 0;
  int channels = 0;
  bool labeled = false;
};

// Called after each image with (done, total); it may throw to abandon the work (nothing is written).
using DatasetToolProgress = std::function<void(int64_t done, int64_t total)>;

// InputError naming the file and what is wrong for a bad source, an image that does not fit, or an
// existing dest. `dest` appears complete or not at all. A .zip dest needs libzip (STYLESCOPE_HAVE_ZIP).
DatasetToolSummary write_dataset(const DatasetToolOptions& options, const DatasetToolProgress& progress = {});

}  // namespace stylescope::train
