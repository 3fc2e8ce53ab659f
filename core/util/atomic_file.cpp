#include "core/util/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <new>
#include <system_error>
#include <vector>

#include "core/io/errors.h"

namespace stylescope {
namespace {

[[noreturn]] void throw_os_error(const std::string& path, const char* what, int error) {
  throw InputError(path, std::string(what) + ": " + std::strerror(error));
}

// Opens a fresh temp file beside `path`. The counter only makes names unique between threads of this
// process (the pid separates processes); O_EXCL guarantees we never reuse an existing file.
int open_temp_file(const std::string& path, std::string& temp_path) {
  static std::atomic<unsigned> counter{0};
  for (int attempt = 0; attempt < 100; ++attempt) {
    temp_path = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    const int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) return fd;
    if (errno != EEXIST) throw_os_error(path, "cannot write", errno);
  }
  throw_os_error(path, "cannot write", EEXIST);
}

// Makes the rename itself durable; best effort (some file systems refuse fsync on directories).
void sync_parent_directory(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

void OutputFile::write(const void* data, size_t size) {
  if (size == 0) return;
  if (std::fwrite(data, 1, size, file_) != size) {
    const int error = errno != 0 ? errno : EIO;
    throw_os_error(path_, "cannot write", error);
  }
}

void write_file_atomic(const std::string& path, const std::function<void(OutputFile&)>& write) {
  std::string temp_path;
  const int fd = open_temp_file(path, temp_path);
  std::FILE* file = ::fdopen(fd, "wb");
  if (file == nullptr) {
    const int error = errno;
    ::close(fd);
    ::unlink(temp_path.c_str());
    throw_os_error(path, "cannot write", error);
  }
  int error = 0;
  try {
    OutputFile out(file, path);
    errno = 0;
    write(out);
    if (std::fflush(file) != 0 || std::ferror(file)) error = errno != 0 ? errno : EIO;
    if (error == 0 && ::fsync(fd) != 0) error = errno;
  } catch (...) {
    std::fclose(file);
    ::unlink(temp_path.c_str());
    throw;
  }
  if (std::fclose(file) != 0 && error == 0) error = errno;
  if (error == 0 && std::rename(temp_path.c_str(), path.c_str()) != 0) error = errno;
  if (error != 0) {
    ::unlink(temp_path.c_str());
    throw_os_error(path, "cannot write", error);
  }
  sync_parent_directory(path);
}

void write_file_atomic(const std::string& path, const void* data, size_t size) {
  write_file_atomic(path, [&](OutputFile& out) { out.write(data, size); });
}

ByteBuffer read_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw_os_error(path, "cannot read", errno);
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw_os_error(path, "cannot read", errno);
  if (S_ISDIR(st.st_mode)) throw_os_error(path, "cannot read", EISDIR);

  auto bytes = std::make_shared<std::vector<uint8_t>>();
  try {
    // Regular files are read in one go; pipes and devices grow the buffer as data arrives.
    bytes->resize(S_ISREG(st.st_mode) ? static_cast<size_t>(st.st_size) : size_t{1} << 16);
    size_t filled = 0;
    for (;;) {
      if (filled == bytes->size()) {
        if (S_ISREG(st.st_mode)) break;  // the size fstat reported; a file that grew later is cut there
        bytes->resize(bytes->size() * 2);
      }
      const ssize_t n = ::read(fd, bytes->data() + filled, bytes->size() - filled);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw_os_error(path, "cannot read", errno);
      }
      if (n == 0) break;
      filled += static_cast<size_t>(n);
    }
    bytes->resize(filled);
  } catch (const std::bad_alloc&) {
    throw InputError(
        path, "cannot read: the file (" + std::to_string(st.st_size) + " bytes) does not fit in memory");
  }
  ByteBuffer buffer;
  buffer.data = bytes->data();
  buffer.size = bytes->size();
  buffer.owner = std::move(bytes);
  return buffer;
}

void ensure_directory(const std::string& dir) {
  if (dir.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw InputError(dir, "cannot create directory: " + ec.message());
  if (!std::filesystem::is_directory(dir, ec))
    throw InputError(dir, "cannot create directory: Not a directory");
}

void ensure_parent_directory(const std::string& file_path) {
  ensure_directory(std::filesystem::path(file_path).parent_path().string());
}

}  // namespace stylescope
