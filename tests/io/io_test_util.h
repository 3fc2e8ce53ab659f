#pragma once
// Helpers shared by the io_tests sources: a temp directory, reference data paths, exact JSON values.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/io/errors.h"

namespace stylescope::test {

inline std::string io_data(const std::string& relative) {
  return std::string(STYLESCOPE_IO_DATA_DIR) + "/" + relative;
}

inline nlohmann::json load_json(const std::string& relative) {
  std::ifstream in(io_data(relative));
  if (!in) throw std::runtime_error("missing test data " + relative + ": run tests/io/make_io_data.py");
  return nlohmann::json::parse(in);
}

// float.hex() strings from the Python scripts, parsed exactly.
inline double hex_double(const nlohmann::json& value) {
  return std::strtod(value.get<std::string>().c_str(), nullptr);
}

inline std::vector<uint8_t> file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// A fresh directory under TMPDIR, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "stylescope-io-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }
  // Names of the entries in the directory (to prove no temp file was left behind).
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(path_))
      names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  std::string path_;
};

// Expects `fn` to throw InputError whose message contains every fragment.
inline void expect_input_error(const std::function<void()>& fn, const std::vector<std::string>& fragments) {
  try {
    fn();
    ADD_FAILURE() << "expected InputError containing '" << (fragments.empty() ? "" : fragments[0]) << "'";
  } catch (const InputError& e) {
    for (const std::string& f : fragments)
      EXPECT_NE(std::string(e.what()).find(f), std::string::npos) << e.what();
  }
}

}  // namespace stylescope::test
