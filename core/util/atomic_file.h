#pragma once
// Whole-file reads and crash-safe writes (DESIGN.md, Files: "Every file StyleScope writes is written to a
// temp name, flushed and renamed"). Errors are InputError naming the path and the OS error, e.g.
// "out/x.png: cannot write: No space left on device".
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "core/io/raw_tensor.h"

namespace stylescope {

// The temp file a write_file_atomic callback streams into.
class OutputFile {
 public:
  OutputFile(std::FILE* file, std::string target_path) : file_(file), path_(std::move(target_path)) {}

  // Throws InputError naming the target path when the OS refuses the bytes.
  void write(const void* data, size_t size);
  void write(std::string_view text) { write(text.data(), text.size()); }

  // For libraries that write to a FILE* themselves; their errors are detected when the file is closed.
  std::FILE* handle() const { return file_; }
  const std::string& target_path() const { return path_; }

 private:
  std::FILE* file_;
  std::string path_;
};

// Writes `path` atomically: a unique temp file beside it ("<path>.tmp-<pid>-<n>") receives the bytes, is
// flushed and fsync'ed, then renamed over `path`. On any failure (including an exception thrown by `write`)
// the temp file is removed and an existing `path` is left untouched. The parent directory must exist.
void write_file_atomic(const std::string& path, const std::function<void(OutputFile&)>& write);
void write_file_atomic(const std::string& path, const void* data, size_t size);

// The whole file in memory. InputError naming the file when it cannot be read (missing, a directory...).
ByteBuffer read_file(const std::string& path);

// Creates `dir` and its missing parents (mkdir -p); InputError when that fails or a non-directory is in
// the way. An empty string means the current directory and does nothing.
void ensure_directory(const std::string& dir);
// ensure_directory() for the folder that will hold `file_path`.
void ensure_parent_directory(const std::string& file_path);

}  // namespace stylescope
