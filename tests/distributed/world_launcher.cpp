#include "tests/distributed/world_launcher.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace stylescope::testing {
namespace {

const char* const kLauncherVariables[] = {"MASTER_ADDR",       "MASTER_PORT",      "RANK",
                                          "LOCAL_RANK",        "LOCAL_WORLD_SIZE", "WORLD_SIZE",
                                          "GLOO_SOCKET_IFNAME"};

bool is_launcher_variable(const char* entry) {
  for (const char* name : kLauncherVariables) {
    const size_t n = std::strlen(name);
    if (std::strncmp(entry, name, n) == 0 && entry[n] == '=') return true;
  }
  return false;
}

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1;
}

}  // namespace

bool WorldResult::all_succeeded() const {
  if (timed_out || exit_codes.empty()) return false;
  for (int code : exit_codes) {
    if (code != 0) return false;
  }
  return true;
}

int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("free_loopback_port: socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  ::close(fd);
  if (!ok) throw std::runtime_error("free_loopback_port: could not bind 127.0.0.1:0");
  return ntohs(address.sin_port);
}

WorldResult run_world(const std::string& program, const std::vector<std::string>& args, int world_size,
                      std::chrono::seconds deadline, const std::vector<std::string>& extra_env) {
  const int port = free_loopback_port();
  std::vector<pid_t> pids;
  for (int rank = 0; rank < world_size; ++rank) {
    std::vector<std::string> env_strings;
    for (char** entry = environ; *entry != nullptr; ++entry) {
      if (!is_launcher_variable(*entry)) env_strings.emplace_back(*entry);
    }
    env_strings.push_back("MASTER_ADDR=127.0.0.1");
    env_strings.push_back("MASTER_PORT=" + std::to_string(port));
    env_strings.push_back("RANK=" + std::to_string(rank));
    env_strings.push_back("LOCAL_RANK=" + std::to_string(rank));
    env_strings.push_back("WORLD_SIZE=" + std::to_string(world_size));
    env_strings.push_back("LOCAL_WORLD_SIZE=" + std::to_string(world_size));
    env_strings.insert(env_strings.end(), extra_env.begin(), extra_env.end());
    std::vector<char*> envp;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);

    std::vector<std::string> argv_strings{program};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : argv_strings) argv.push_back(s.data());
    argv.push_back(nullptr);

    pid_t pid = 0;
    // posix_spawn, not fork: the caller may already run torch's thread pools.
    if (::posix_spawn(&pid, program.c_str(), nullptr, nullptr, argv.data(), envp.data()) != 0) {
      for (pid_t started : pids) ::kill(started, SIGKILL);
      for (pid_t started : pids) ::waitpid(started, nullptr, 0);
      throw std::runtime_error("run_world: could not start " + program);
    }
    pids.push_back(pid);
  }

  WorldResult result;
  result.exit_codes.assign(world_size, 0);
  std::vector<bool> running(world_size, true);
  int remaining = world_size;
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (remaining > 0) {
    bool failure = false;
    for (int rank = 0; rank < world_size; ++rank) {
      int status = 0;
      if (running[rank] && ::waitpid(pids[rank], &status, WNOHANG) == pids[rank]) {
        running[rank] = false;
        --remaining;
        result.exit_codes[rank] = exit_code_of(status);
        failure = failure || result.exit_codes[rank] != 0;
      }
    }
    const bool late = std::chrono::steady_clock::now() > end;
    if ((failure || late) && remaining > 0) {
      result.timed_out = late;
      for (int rank = 0; rank < world_size; ++rank) {
        if (!running[rank]) continue;
        ::kill(pids[rank], SIGKILL);
        int status = 0;
        ::waitpid(pids[rank], &status, 0);
        result.exit_codes[rank] = exit_code_of(status);
        running[rank] = false;
      }
      remaining = 0;
    }
    if (remaining > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return result;
}

}  // namespace stylescope::testing
