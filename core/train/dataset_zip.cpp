// Zip datasets in the official dataset_tool layout (spec §6.6). They must be uniform, as the official
// loader requires; the headers of all images are checked when the dataset opens.
#include <algorithm>
#include <mutex>

#include "core/io/errors.h"
#include "core/io/image_transform.h"
#include "core/train/dataset_files.h"
#include "core/train/dataset_source.h"

#ifdef STYLESCOPE_HAVE_ZIP
#include "core/io/zip_archive.h"
#endif

namespace stylescope::train {

#ifndef STYLESCOPE_HAVE_ZIP

OpenedSource open_zip_source(const std::string& path, const DatasetOpenOptions&) {
  throw InputError(path, "zip datasets need libzip, and this StyleScope was built without it; use a folder");
}

#else

namespace {

std::string size_text(int width, int height, int channels) {
  return std::to_string(width) + "x" + std::to_string(height) + " with " + std::to_string(channels) +
         (channels == 1 ? " channel" : " channels");
}

// libzip handles are not thread-safe: each loading thread borrows its own reader from this pool.
struct ZipSource : ImageDataset::Source {
  std::string path;
  std::vector<size_t> members;
  int resolution = 0, channels = 0;
  mutable std::mutex mutex;
  mutable std::vector<std::unique_ptr<ZipReader> > idle;

  Image8 load(int64_t raw_index) const override {
    std::unique_ptr<ZipReader> reader;
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (!idle.empty()) {
        reader = std::move(idle.back());
        idle.pop_back();
      }
    }
    if (!reader) reader = std::make_unique<ZipReader>(ZipReader::open(path));
    const size_t member = members[static_cast<size_t>(raw_index)];
    const ByteBuffer bytes = reader->read(member);
    const std::string name = reader->name(member);
    {
      std::lock_guard<std::mutex> lock(mutex);
      idle.push_back(std::move(reader));
    }
    Image8 image = decode_image(bytes, path + ": " + name);
    if (image.width != resolution || image.height != resolution || image.channels != channels) {
      throw InputError(path, "member '" + name + "' is " +
                                 size_text(image.width, image.height, image.channels) + ", the dataset " +
                                 size_text(resolution, resolution, channels));
    }
    return image;
  }
};

// An image's header from the first bytes of its member; the whole member when they are not enough
// (a JPEG may carry large metadata before its frame header).
std::optional<ImageHeader> member_header(const ZipReader& zip, size_t member) {
  if (auto header = image_header_from_memory(zip.read_prefix(member, 4096))) return header;
  return image_header_from_memory(zip.read(member));
}

}  // namespace

OpenedSource open_zip_source(const std::string& path, const DatasetOpenOptions& options) {
  ZipReader zip = ZipReader::open(path);
  std::vector<std::pair<std::string, size_t> > images;
  for (size_t i = 0; i < zip.size(); ++i) {
    const std::string& name = zip.name(i);
    if (!name.empty() && name.back() != '/' && has_image_extension(name)) images.emplace_back(name, i);
  }
  std::sort(images.begin(), images.end());
  if (images.empty()) throw InputError(path, "no .png, .jpg or .jpeg images in the zip");

  auto source = std::make_shared<ZipSource>();
  source->path = path;
  OpenedSource opened;
  std::string first;
  for (int64_t i : subset_positions(static_cast<int64_t>(images.size()), options.max_size)) {
    const auto& [name, member] = images[static_cast<size_t>(i)];
    const auto header = member_header(zip, member);
    if (!header) throw InputError(path, "member '" + name + "' is not an image stb can read");
    const std::string found = size_text(header->width, header->height, header->channels);
    if (first.empty()) {
      if (header->width != header->height)
        throw InputError(path, "member '" + name + "' is " + found + ", not square");
      if (!is_power_of_two(header->width)) {
        throw InputError(path, "member '" + name + "' is " + found + "; the size must be a power of two");
      }
      if (header->channels != 1 && header->channels != 3 && header->channels != 4) {
        throw InputError(path, "member '" + name + "' has " + std::to_string(header->channels) +
                                   " channels; datasets have 1, 3 or 4");
      }
      if (options.resolution && header->width != *options.resolution) {
        throw InputError(path, "member '" + name + "' is " + std::to_string(header->width) + "x" +
                                   std::to_string(header->height) + ", but the model needs " +
                                   std::to_string(*options.resolution) + "x" +
                                   std::to_string(*options.resolution));
      }
      if (options.channels && header->channels != *options.channels) {
        throw InputError(path, "member '" + name + "' has " + std::to_string(header->channels) +
                                   " channels, but the model needs " + std::to_string(*options.channels));
      }
      first = name;
      source->resolution = header->width;
      source->channels = header->channels;
    } else if (header->width != source->resolution || header->height != source->resolution ||
               header->channels != source->channels) {
      throw InputError(path, "mixed image sizes: member '" + name + "' is " + found + ", but '" + first +
                                 "' is " +
                                 size_text(source->resolution, source->resolution, source->channels));
    }
    source->members.push_back(member);
    opened.names.push_back(name);
  }
  if (auto labels = zip.find("dataset.json")) {
    const ByteBuffer bytes = zip.read(*labels);
    opened.labels_json.assign(reinterpret_cast<const char*>(bytes.data), bytes.size);
  }
  opened.info.path = path;
  opened.info.raw_size = static_cast<int64_t>(opened.names.size());
  opened.info.resolution = source->resolution;
  opened.info.channels = source->channels;
  opened.source = source;
  return opened;
}

#endif

}  // namespace stylescope::train
