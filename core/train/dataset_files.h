#pragma once
// What ImageDataset and the dataset tool share about dataset files: which names are images, the sorted
// recursive listing of a folder, image headers, and the dataset.json label table.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/io/raw_tensor.h"

namespace stylescope::train {

// .png, .jpg or .jpeg, any case.
bool has_image_extension(const std::string& name);
// Regular files with an image extension under `dir`, recursively, as '/'-separated paths relative to
// `dir`, sorted. InputError when `dir` cannot be listed.
std::vector<std::string> list_image_files(const std::string& dir);

struct ImageHeader {
  int width = 0, height = 0, channels = 0;
};
// The size and channels from an image's header (nothing decoded); nullopt when stb does not recognise it.
std::optional<ImageHeader> read_image_header(const std::string& path);
std::optional<ImageHeader> image_header_from_memory(const ByteBuffer& bytes);

// dataset.json's "labels": image name -> label (an integer class or a list of numbers); nullopt when the
// labels are null. InputError naming `where` for malformed JSON.
std::optional<std::map<std::string, nlohmann::json>> parse_dataset_json(const std::string& text,
                                                                        const std::string& where);

// The label vector of each name, as the official loader builds them: all integers -> one-hot of max + 1,
// all lists of numbers of one length -> those values. InputError naming `where` and the image for a
// missing label, a negative class or mixed label kinds. `dim` receives the vector length.
std::vector<std::vector<float>> label_vectors(const std::vector<std::string>& names,
                                              const std::map<std::string, nlohmann::json>& table,
                                              const std::string& where, int* dim);

}  // namespace stylescope::train
