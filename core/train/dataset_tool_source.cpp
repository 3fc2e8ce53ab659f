#include "core/train/dataset_tool_source.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/io/errors.h"
#include "core/io/idx.h"
#include "core/train/dataset_files.h"

#ifdef STYLESCOPE_HAVE_ZIP
#include "core/io/zip_archive.h"
#endif

namespace stylescope::train {
namespace {

namespace fs = std::filesystem;
using LabelTable = std::map<std::string, nlohmann::json>;

nlohmann::json lookup(const std::optional<LabelTable>& table, const std::string& name) {
  if (!table) return nullptr;
  auto it = table->find(name);
  return it == table->end() ? nlohmann::json(nullptr) : it->second;
}

class IdxSource : public ToolSource {
 public:
  explicit IdxSource(const IdxPair& files) : images_path_(files.images) {
    images_ = read_idx(files.images);
    if (images_.dims.size() != 3 || images_.dims[0] == 0 || images_.dims[1] == 0 || images_.dims[2] == 0) {
      throw InputError(files.images, "expected an IDX array of images [count, height, width]");
    }
    if (!files.labels.empty()) {
      labels_ = read_idx(files.labels);
      if (labels_.dims.size() != 1 || labels_.dims[0] != images_.dims[0]) {
        throw InputError(files.labels, "expected " + std::to_string(images_.dims[0]) +
                                           " labels, one per image of " + files.images);
      }
    }
  }
  std::string kind() const override { return "idx"; }
  int64_t size() const override { return images_.dims[0]; }
  std::string name(int64_t index) const override { return images_path_ + " image " + std::to_string(index); }
  Image8 load(int64_t index) override {
    Image8 image;
    image.height = static_cast<int>(images_.dims[1]);
    image.width = static_cast<int>(images_.dims[2]);
    image.channels = 1;
    const size_t bytes = static_cast<size_t>(image.width) * image.height;
    const auto first = images_.data.begin() + static_cast<std::ptrdiff_t>(bytes * static_cast<size_t>(index));
    image.pixels.assign(first, first + static_cast<std::ptrdiff_t>(bytes));
    return image;
  }
  nlohmann::json label(int64_t index) const override {
    if (labels_.data.empty()) return nullptr;
    return static_cast<int>(labels_.data[static_cast<size_t>(index)]);
  }

 private:
  std::string images_path_;
  IdxArray images_, labels_;
};

class FolderSource : public ToolSource {
 public:
  explicit FolderSource(const std::string& dir) : dir_(dir), names_(list_image_files(dir)) {
    const fs::path json = fs::path(dir) / "dataset.json";
    std::error_code ec;
    if (fs::is_regular_file(json, ec)) {
      std::ifstream in(json, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      labels_ = parse_dataset_json(text.str(), json.string());
    }
  }
  std::string kind() const override { return "folder"; }
  int64_t size() const override { return static_cast<int64_t>(names_.size()); }
  std::string name(int64_t index) const override {
    return (fs::path(dir_) / names_[static_cast<size_t>(index)]).string();
  }
  Image8 load(int64_t index) override { return read_image(name(index)); }
  nlohmann::json label(int64_t index) const override {
    return lookup(labels_, names_[static_cast<size_t>(index)]);
  }

 private:
  std::string dir_;
  std::vector<std::string> names_;
  std::optional<LabelTable> labels_;
};

#ifdef STYLESCOPE_HAVE_ZIP
class ZipSource : public ToolSource {
 public:
  explicit ZipSource(const std::string& path) : path_(path), zip_(ZipReader::open(path)) {
    for (size_t i = 0; i < zip_.size(); ++i) {
      const std::string& name = zip_.name(i);
      if (!name.empty() && name.back() != '/' && has_image_extension(name)) members_.emplace_back(name, i);
    }
    std::sort(members_.begin(), members_.end());
    if (auto json = zip_.find("dataset.json")) {
      const ByteBuffer bytes = zip_.read(*json);
      labels_ = parse_dataset_json(std::string(reinterpret_cast<const char*>(bytes.data), bytes.size),
                                   path + ": dataset.json");
    }
  }
  std::string kind() const override { return "zip"; }
  int64_t size() const override { return static_cast<int64_t>(members_.size()); }
  std::string name(int64_t index) const override {
    return path_ + ": " + members_[static_cast<size_t>(index)].first;
  }
  Image8 load(int64_t index) override {
    return decode_image(zip_.read(members_[static_cast<size_t>(index)].second), name(index));
  }
  nlohmann::json label(int64_t index) const override {
    return lookup(labels_, members_[static_cast<size_t>(index)].first);
  }

 private:
  std::string path_;
  ZipReader zip_;
  std::vector<std::pair<std::string, size_t>> members_;
  std::optional<LabelTable> labels_;
};
#endif

bool is_zip_name(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".zip";
}

}  // namespace

std::unique_ptr<ToolSource> open_tool_source(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError(path, "--source not found");
  std::unique_ptr<ToolSource> source;
  IdxPair idx;
  const std::string file_name = fs::path(path).filename().string();
  if (fs::is_directory(path, ec) && find_idx_train_split(path, &idx)) {
    source = std::make_unique<IdxSource>(idx);
  } else if (fs::is_regular_file(path, ec) && file_name.rfind("train-images-idx3-ubyte", 0) == 0 &&
             find_idx_train_split(fs::path(path).parent_path().string(), &idx)) {
    source = std::make_unique<IdxSource>(idx);  // the images file itself, as dataset_tool.py takes it
  } else if (fs::is_directory(path, ec)) {
    source = std::make_unique<FolderSource>(path);
  } else if (is_zip_name(path)) {
#ifdef STYLESCOPE_HAVE_ZIP
    source = std::make_unique<ZipSource>(path);
#else
    throw InputError(path, "reading zips needs libzip, and this StyleScope was built without it");
#endif
  } else {
    throw InputError(path, "--source must be a folder of images, a dataset .zip or a folder of IDX files");
  }
  if (source->size() == 0) throw InputError(path, "--source holds no .png, .jpg or .jpeg images");
  return source;
}

}  // namespace stylescope::train
