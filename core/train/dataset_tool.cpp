#include "core/train/dataset_tool.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include <nlohmann/json.hpp>

#include "core/io/errors.h"
#include "core/io/image.h"
#include "core/io/image_transform.h"
#include "core/train/dataset_tool_source.h"
#include "core/util/atomic_file.h"

#ifdef STYLESCOPE_HAVE_ZIP
#include "core/io/zip_archive.h"
#endif

namespace stylescope::train {

namespace {

namespace fs = std::filesystem;

std::string size_text(const Image8& image) {
  return std::to_string(image.width) + "x" + std::to_string(image.height);
}

// The encoded PNGs wait here until the archive is written; removed whatever happens.
class StagingFolder {
 public:
  explicit StagingFolder(const std::string& dest) : path_(dest + ".parts-" + std::to_string(::getpid())) {
    std::error_code ec;
    fs::remove_all(path_, ec);
    ensure_directory(path_);
  }
  ~StagingFolder() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Applies --transform to one image; `resolution` is fixed by the first image when not given.
Image8 transform_image(const Image8& image, const std::string& name, const std::string& transform,
                       std::optional<int>& resolution) {
  if (transform == "pad") {
    if (!resolution) resolution = ceil_power_of_two(std::max(image.width, image.height));
    if (image.width > *resolution || image.height > *resolution) {
      throw InputError(name, "is " + size_text(image) + ", larger than the padded size " +
                                 std::to_string(*resolution) + "x" + std::to_string(*resolution));
    }
    return pad_center(image, *resolution);
  }
  if (transform == "center-crop") {
    if (!resolution) resolution = floor_power_of_two(std::min(image.width, image.height));
    return crop_resize_square(image, *resolution);
  }
  if (image.width != image.height) {
    throw InputError(name, "is " + size_text(image) + ", not square (use --transform center-crop or pad)");
  }
  if (resolution) return resize_image(image, *resolution, *resolution);
  if (!is_power_of_two(image.width)) {
    throw InputError(name, "is " + size_text(image) +
                               ", not a power of two (use --resolution, --transform center-crop or pad)");
  }
  return image;
}

// A plain write: the staged files are temporary, so no fsync per image (the zip is written atomically, the
// folder renamed into place whole).
void write_staged(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "wb"), std::fclose);
  if (!file || std::fwrite(bytes.data(), 1, bytes.size(), file.get()) != bytes.size() ||
      std::fflush(file.get()) != 0) {
    throw InputError(path, "cannot write the staged image");
  }
}

std::string archive_name(int64_t index) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%08lld", static_cast<long long>(index));
  const std::string idx(digits);
  return idx.substr(0, 5) + "/img" + idx + ".png";
}

// Where the encoded images go. Either way `dest` appears complete or not at all.
class DatasetSink {
 public:
  virtual ~DatasetSink() = default;
  virtual void add_image(const std::string& member, const std::vector<uint8_t>& png) = 0;
  virtual void finish(const std::string& dataset_json) = 0;
};

// The official folder layout (dataset_tool.py's --dest DIR): staged beside dest, renamed into place at the
// end.
class FolderSink final : public DatasetSink {
 public:
  explicit FolderSink(const std::string& dest) : dest_(dest), staging_(dest) {}
  void add_image(const std::string& member, const std::vector<uint8_t>& png) override {
    const std::string path = staging_.path() + "/" + member;
    ensure_parent_directory(path);
    write_staged(path, png);
  }
  void finish(const std::string& dataset_json) override {
    write_file_atomic(staging_.path() + "/dataset.json", dataset_json.data(), dataset_json.size());
    std::error_code ec;
    fs::rename(staging_.path(), dest_, ec);
    if (ec) throw InputError(dest_, "cannot move the finished dataset into place: " + ec.message());
  }

 private:
  std::string dest_;
  StagingFolder staging_;
};

#ifdef STYLESCOPE_HAVE_ZIP
class ZipSink final : public DatasetSink {
 public:
  explicit ZipSink(const std::string& dest) : staging_(dest), zip_(dest) {}
  void add_image(const std::string& member, const std::vector<uint8_t>& png) override {
    const std::string staged = staging_.path() + "/" + std::to_string(count_++) + ".png";
    write_staged(staged, png);
    zip_.add_file(member, staged);
  }
  void finish(const std::string& dataset_json) override {
    zip_.add_bytes("dataset.json", dataset_json);
    zip_.close();
  }

 private:
  StagingFolder staging_;  // declared first: the zip (discarding an unfinished archive) goes before its files
  ZipFileWriter zip_;
  int64_t count_ = 0;
};
#endif

std::unique_ptr<DatasetSink> open_sink(const std::string& dest) {
  const std::string ext = fs::path(dest).extension().string();
  // dataset_tool.py makes a folder of any other name; one that reads as another archive is surely a mistake.
  for (const char* archive : {".tar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".npz"})
    if (ext == archive)
      throw InputError(dest, "--dest must be a .zip file or a folder, not a " + ext + " archive");
  if (ext != ".zip") return std::make_unique<FolderSink>(dest);
#ifdef STYLESCOPE_HAVE_ZIP
  return std::make_unique<ZipSink>(dest);
#else
  throw InputError(dest,
                   "writing dataset zips needs libzip, and this StyleScope was built without it "
                   "(give a folder as --dest instead)");
#endif
}

}  // namespace

DatasetToolSummary write_dataset(const DatasetToolOptions& options, const DatasetToolProgress& progress) {
  if (options.transform != "" && options.transform != "pad" && options.transform != "center-crop") {
    throw InputError("--transform must be center-crop or pad, not '" + options.transform + "'");
  }
  if (options.resolution && (*options.resolution < 4 || !is_power_of_two(*options.resolution))) {
    throw InputError("--resolution " + std::to_string(*options.resolution) + " is not a power of two >= 4");
  }
  std::error_code ec;
  if (fs::exists(options.dest, ec)) throw InputError(options.dest, "already exists; not overwriting it");

  std::unique_ptr<ToolSource> source = open_tool_source(options.source);
  ensure_parent_directory(options.dest);
  std::unique_ptr<DatasetSink> sink = open_sink(options.dest);

  DatasetToolSummary summary;
  summary.kind = source->kind();
  std::optional<int> resolution = options.resolution;
  nlohmann::json labels = nlohmann::json::array();
  bool all_labeled = true;
  const int64_t total = source->size();
  for (int64_t i = 0; i < total; ++i) {
    const std::string name = source->name(i);
    const Image8 image = transform_image(source->load(i), name, options.transform, resolution);
    if (image.channels != 1 && image.channels != 3) {
      throw InputError(name, "has " + std::to_string(image.channels) +
                                 " channels; dataset images must be RGB or grayscale (as dataset_tool.py)");
    }
    if (i == 0) {
      summary.resolution = image.width;
      summary.channels = image.channels;
    } else if (image.width != summary.resolution || image.channels != summary.channels) {
      throw InputError(name, "is " + size_text(image) + " with " + std::to_string(image.channels) +
                                 " channels after the transform, but the first image gave " +
                                 std::to_string(summary.resolution) + "x" +
                                 std::to_string(summary.resolution) + " with " +
                                 std::to_string(summary.channels));
    }
    const std::vector<uint8_t> png =
        encode_png(image.pixels.data(), image.width, image.height, image.channels);
    const std::string member = archive_name(i);
    sink->add_image(member, png);
    const nlohmann::json label = source->label(i);
    if (label.is_null()) all_labeled = false;
    if (all_labeled) labels.push_back(nlohmann::json::array({member, label}));
    if (progress) progress(i + 1, total);
  }
  nlohmann::json meta;
  meta["labels"] = all_labeled ? labels : nlohmann::json(nullptr);
  sink->finish(meta.dump());
  summary.images = total;
  summary.labeled = all_labeled;
  return summary;
}

}  // namespace stylescope::train
