#include "core/io/zip_npz.h"

#include <stdexcept>

#include "core/io/errors.h"
#include "core/io/npy.h"
#include "core/io/zip_archive.h"
#include "core/util/atomic_file.h"

namespace stylescope {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::map<std::string, RawTensor> parse_npz(const ByteBuffer& bytes, const std::string& name) {
  const ZipReader zip = ZipReader::from_buffer(bytes, name);
  std::map<std::string, RawTensor> arrays;
  for (size_t i = 0; i < zip.size(); ++i) {
    const std::string& member = zip.name(i);
    if (!ends_with(member, ".npy")) continue;
    const std::string key = member.substr(0, member.size() - 4);
    if (arrays.count(key)) throw InputError(name, "the archive holds '" + member + "' twice");
    arrays.emplace(key, parse_npy(zip.read(i), name + ": member '" + member + "'"));
  }
  return arrays;
}

std::map<std::string, RawTensor> read_npz(const std::string& path) {
  return parse_npz(read_file(path), path);
}

RawTensor read_npz_array(const std::string& path, const std::string& key) {
  std::map<std::string, RawTensor> arrays = read_npz(path);
  const auto found = arrays.find(key);
  if (found == arrays.end()) {
    std::string keys;
    for (const auto& entry : arrays) keys += (keys.empty() ? "'" : ", '") + entry.first + "'";
    throw InputError(path,
                     "no array '" + key + "' in the archive (found " + (keys.empty() ? "none" : keys) + ")");
  }
  return found->second;
}

void write_npz(const std::string& path, const std::vector<std::pair<std::string, TensorRef>>& arrays,
               bool compressed) {
  std::vector<std::vector<uint8_t>> encoded;
  std::vector<ZipMember> members;
  encoded.reserve(arrays.size());
  for (const auto& [key, tensor] : arrays) {
    for (const ZipMember& m : members) {
      if (m.name == key + ".npy") throw std::invalid_argument("write_npz: duplicate array '" + key + "'");
    }
    encoded.push_back(encode_npy(tensor));
    members.push_back({key + ".npy", encoded.back().data(), encoded.back().size()});
  }
  const std::vector<uint8_t> archive = build_zip(members, compressed, path);
  write_file_atomic(path, archive.data(), archive.size());
}

}  // namespace stylescope
