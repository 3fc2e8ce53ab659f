#include "core/util/atomic_file.h"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <thread>

#include "io_test_util.h"

namespace stylescope {
namespace {

using test::expect_input_error;
using test::file_bytes;
using test::TempDir;

std::vector<uint8_t> bytes_of(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

TEST(AtomicFile, WritesAndLeavesNoTempFile) {
  TempDir dir;
  const std::string payload = "hello, atomic world";
  write_file_atomic(dir / "a.bin", payload.data(), payload.size());
  EXPECT_EQ(file_bytes(dir / "a.bin"), bytes_of(payload));
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"a.bin"});
}

TEST(AtomicFile, EmptyFile) {
  TempDir dir;
  write_file_atomic(dir / "empty", nullptr, 0);
  EXPECT_TRUE(std::filesystem::exists(dir / "empty"));
  EXPECT_EQ(read_file(dir / "empty").size, 0u);
}

TEST(AtomicFile, ReplacesExistingTarget) {
  TempDir dir;
  test::write_bytes(dir / "t.txt", bytes_of("old contents that are longer"));
  write_file_atomic(dir / "t.txt", "new", 3);
  EXPECT_EQ(file_bytes(dir / "t.txt"), bytes_of("new"));
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"t.txt"});
}

TEST(AtomicFile, StreamingCallbackThroughWriteAndHandle) {
  TempDir dir;
  write_file_atomic(dir / "s.txt", [](OutputFile& out) {
    out.write("abc");
    std::fprintf(out.handle(), "%d", 42);
    out.write("def", 3);
  });
  EXPECT_EQ(file_bytes(dir / "s.txt"), bytes_of("abc42def"));
}

TEST(AtomicFile, MissingDirectoryFailsCleanly) {
  TempDir dir;
  const std::string target = dir / "missing/sub/x.png";
  expect_input_error([&] { write_file_atomic(target, "x", 1); },
                     {target + ": cannot write: ", "No such file or directory"});
  EXPECT_TRUE(dir.entries().empty());
}

TEST(AtomicFile, CallbackExceptionKeepsOldTargetAndRemovesTemp) {
  TempDir dir;
  test::write_bytes(dir / "keep.txt", bytes_of("precious"));
  EXPECT_THROW(write_file_atomic(dir / "keep.txt",
                                 [](OutputFile& out) {
                                   out.write("partial data");
                                   throw std::runtime_error("renderer failed");
                                 }),
               std::runtime_error);
  EXPECT_EQ(file_bytes(dir / "keep.txt"), bytes_of("precious"));
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"keep.txt"});
}

// A full disk, simulated with a file size limit: the write fails with the OS error, the old file survives.
TEST(AtomicFile, WriteErrorKeepsOldTargetAndRemovesTemp) {
  TempDir dir;
  test::write_bytes(dir / "big.bin", bytes_of("old"));
  struct rlimit saved {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  void (*old_handler)(int) = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit limited = saved;
  limited.rlim_cur = 64 * 1024;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limited), 0);
  const std::vector<uint8_t> big(1 << 20, 7);
  std::string message;
  try {
    write_file_atomic(dir / "big.bin", big.data(), big.size());
  } catch (const InputError& e) {
    message = e.what();
  }
  ::setrlimit(RLIMIT_FSIZE, &saved);
  ::signal(SIGXFSZ, old_handler);
  EXPECT_EQ(message, dir / "big.bin" + ": cannot write: File too large");
  EXPECT_EQ(file_bytes(dir / "big.bin"), bytes_of("old"));
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"big.bin"});
}

TEST(AtomicFile, TargetIsADirectory) {
  TempDir dir;
  std::filesystem::create_directory(dir / "out");
  expect_input_error([&] { write_file_atomic(dir / "out", "x", 1); }, {dir / "out", "cannot write"});
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"out"});
}

TEST(AtomicFile, ConcurrentWritersNeverInterleave) {
  TempDir dir;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const std::vector<uint8_t> data(100000, static_cast<uint8_t>('a' + t));
      for (int i = 0; i < 5; ++i) write_file_atomic(dir / "shared.bin", data.data(), data.size());
    });
  }
  for (auto& thread : threads) thread.join();
  const std::vector<uint8_t> result = file_bytes(dir / "shared.bin");
  ASSERT_EQ(result.size(), 100000u);
  EXPECT_EQ(std::count(result.begin(), result.end(), result[0]), 100000);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"shared.bin"});
}

TEST(ReadFile, ReadsWholeFile) {
  TempDir dir;
  std::vector<uint8_t> data(300000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 31);
  test::write_bytes(dir / "r.bin", data);
  const ByteBuffer buffer = read_file(dir / "r.bin");
  ASSERT_EQ(buffer.size, data.size());
  EXPECT_TRUE(std::equal(data.begin(), data.end(), buffer.data));
  EXPECT_NE(buffer.owner, nullptr);
}

TEST(ReadFile, ErrorsNameTheFile) {
  TempDir dir;
  expect_input_error([&] { read_file(dir / "nope.safetensors"); },
                     {dir / "nope.safetensors: cannot read: No such file or directory"});
  expect_input_error([&] { read_file(dir.path()); }, {dir.path() + ": cannot read: Is a directory"});
}

TEST(ReadFile, ReadsNonRegularFiles) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const std::string text(100000, 'p');  // larger than a pipe buffer: written from a thread
  std::thread writer([&] {
    size_t done = 0;
    while (done < text.size())
      done += static_cast<size_t>(::write(fds[1], text.data() + done, text.size() - done));
    ::close(fds[1]);
  });
  const ByteBuffer buffer = read_file("/dev/fd/" + std::to_string(fds[0]));
  writer.join();
  ::close(fds[0]);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(buffer.data), buffer.size), text);
}

TEST(EnsureDirectory, CreatesNestedDirectories) {
  TempDir dir;
  ensure_directory(dir / "a/b/c");
  EXPECT_TRUE(std::filesystem::is_directory(dir / "a/b/c"));
  ensure_directory(dir / "a/b/c");  // already there: fine
  ensure_parent_directory(dir / "x/y/file.png");
  EXPECT_TRUE(std::filesystem::is_directory(dir / "x/y"));
  EXPECT_FALSE(std::filesystem::exists(dir / "x/y/file.png"));
  ensure_directory("");
  ensure_parent_directory("relative_file_in_cwd.png");  // no parent: nothing to do
}

TEST(EnsureDirectory, FileInTheWay) {
  TempDir dir;
  test::write_bytes(dir / "file", bytes_of("x"));
  expect_input_error([&] { ensure_directory(dir / "file"); }, {dir / "file", "cannot create directory"});
  expect_input_error([&] { ensure_directory(dir / "file/sub"); }, {"cannot create directory"});
}

}  // namespace
}  // namespace stylescope
