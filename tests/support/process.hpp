// SPDX-License-Identifier: MIT
// Test support: child processes that are always stopped by their PID and reaped, free 127.0.0.1
// ports, programs (and the camdump CLI) run to their end with their output captured. Files and
// TempDir live in support/files.hpp (included here). Every helper here binds 127.0.0.1 only.
//
//   auto p = Process::spawn({"cat"}, {.pipe_stdin = true, .pipe_stdout = true});
//   write_all(p.stdin_fd(), "hi");  ...  p.stop();   // or let the destructor do it
#pragma once
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/files.hpp"

namespace camdump::test {

using namespace std::chrono_literals;

struct SpawnOptions {
  bool pipe_stdin = false;        ///< give the parent a pipe to the child's stdin (else /dev/null)
  bool pipe_stdout = false;       ///< give the parent a pipe from the child's stdout (else see stdout_file)
  bool stderr_to_stdout = false;  ///< send stderr where stdout goes
  std::string stdout_file;        ///< when set (and no pipe): stdout goes to this file (created/truncated)
  std::string stderr_file;        ///< when set: stderr goes to this file; otherwise it stays the test's
  std::string cwd;                ///< working directory of the child; empty = the test's
};

/// A child process. Move-only; the destructor stops it (SIGTERM, then SIGKILL) and reaps it.
class Process {
 public:
  Process() = default;
  /// Starts argv[0] (looked up in PATH) with argv. Throws std::runtime_error when exec fails
  /// (the child reports the errno through a close-on-exec pipe, so a missing program is seen here).
  static Process spawn(const std::vector<std::string>& argv, const SpawnOptions& opts = {});
  Process(Process&& o) noexcept;
  Process& operator=(Process&& o) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process();

  pid_t pid() const { return pid_; }
  int stdin_fd() const { return in_fd_; }    ///< -1 unless pipe_stdin
  int stdout_fd() const { return out_fd_; }  ///< -1 unless pipe_stdout
  void close_stdin();
  /// True while the child has not exited (reaps it if it has).
  bool running();
  /// Waits up to `timeout` for the child to exit by itself; its wait status, or nullopt.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  /// SIGTERM, up to `grace` to exit, then SIGKILL; always reaped. Returns the wait status
  /// (-1 when there was no child). Safe to call twice.
  int stop(std::chrono::milliseconds grace = 2000ms);
  /// Reads the stdout pipe until `needle` appears (returns everything read) or `timeout` passes
  /// (returns nullopt). Bytes after the needle stay in the returned string.
  std::optional<std::string> read_until(std::string_view needle, std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  int in_fd_ = -1, out_fd_ = -1;
  std::optional<int> status_;
};

/// Stops a process that is our child by PID: SIGTERM, `grace`, SIGKILL, waitpid. Returns the
/// wait status or -1.
int stop_pid(pid_t pid, std::chrono::milliseconds grace = 2000ms);

/// A port on 127.0.0.1 that was free a moment ago (bound to port 0 and released).
uint16_t free_tcp_port();
uint16_t free_udp_port();
/// Polls until something listens on 127.0.0.1:port (checked in /proc/net/tcp, so no connection
/// is made: a QEMU server=on,wait=on socket keeps its one connection for the real client).
bool wait_tcp_listening(uint16_t port, std::chrono::milliseconds timeout);
/// Connects to 127.0.0.1:port, retrying until `timeout`; the socket fd or -1.
int connect_tcp(uint16_t port, std::chrono::milliseconds timeout = 5000ms);

/// Writes all bytes (retrying on EINTR/partial writes); false on error.
bool write_all(int fd, std::string_view data);
/// Reads from fd until `needle` appears or `timeout` passes; everything read so far is appended to
/// `acc`. True when the needle is in `acc`.
bool read_fd_until(int fd, std::string& acc, std::string_view needle, std::chrono::milliseconds timeout);
/// Reads exactly n bytes (or fewer when `timeout` passes).
std::string read_fd_n(int fd, size_t n, std::chrono::milliseconds timeout);

/// Polls a file until it contains `needle`; its contents then, or nullopt after `timeout`.
std::optional<std::string> wait_file_contains(const std::filesystem::path& file, std::string_view needle,
                                              std::chrono::milliseconds timeout);

/// A program run to its end with stdout/stderr captured in `dir` (stdout.txt, stderr.txt), in the
/// working directory `cwd` (empty: the test's). status: the exit code, 128 when killed by a
/// signal, -1 when it outlived `timeout` (then stopped).
struct CommandResult {
  int status = -1;
  std::string out, err;
};
CommandResult run_command(const std::vector<std::string>& argv, const std::filesystem::path& dir,
                          std::chrono::seconds timeout = std::chrono::seconds(300),
                          const std::filesystem::path& cwd = {});
/// The camdump CLI under test (camdump_exe()) with `args`, as run_command runs it.
CommandResult run_camdump(const std::vector<std::string>& args, const std::filesystem::path& dir,
                          std::chrono::seconds timeout = std::chrono::seconds(300),
                          const std::filesystem::path& cwd = {});
/// The same with `dir` also its working directory (relative paths in `args` are inside it).
CommandResult run_camdump_in(const std::vector<std::string>& args, const TempDir& dir,
                             std::chrono::seconds timeout = std::chrono::seconds(300));
/// A /bin/sh command line run to its end with " 2>/dev/null" appended (so the last command's
/// stderr is dropped): its exit code (-1 when it did not exit) and everything it wrote to stdout.
struct ShellResult {
  int rc = -1;
  std::string out;
};
ShellResult run_shell(const std::string& cmd);
/// Debian installs flashrom in /usr/sbin, which is not on every user's PATH.
std::string flashrom_path();

}  // namespace camdump::test
