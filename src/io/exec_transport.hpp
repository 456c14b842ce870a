// SPDX-License-Identifier: MIT
// `exec:COMMAND ARGS...`: runs a program on a pseudo-terminal (forkpty) and talks to it as a
// console: how tests drive QEMU (`-chardev stdio,...,signal=off`) or a busybox shell, and how a user
// drives any console program (picocom, a vendor tool). The pty starts in raw mode (cfmakeraw) so
// bytes pass unchanged, but the program may change the modes (QEMU's stdio turns LF into CR LF),
// hence not 8-bit clean. The destructor stops the program's process group by its PID (SIGTERM,
// then SIGKILL after a grace period) and reaps it.
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

#include "io/transport.hpp"

namespace camdump::io {

class ExecTransport : public Transport {
 public:
  /// Starts argv[0] (searched in PATH). Throws Error(Usage) for an empty argv, Error(NotFound) when
  /// the program does not exist.
  explicit ExecTransport(std::vector<std::string> argv);
  ~ExecTransport() override;
  ExecTransport(const ExecTransport&) = delete;
  ExecTransport& operator=(const ExecTransport&) = delete;

  pid_t pid() const { return pid_; }
  int pty_fd() const { return master_; }
  std::string describe() const override;

 protected:
  size_t do_read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) override;
  void do_write(std::span<const uint8_t> data) override;

 private:
  std::vector<std::string> argv_;
  std::string what_;  ///< "exec:PROGRAM" for error messages
  pid_t pid_ = -1;
  int master_ = -1;
};

/// The full path of `program` found like execvp does (a name with '/' is taken as is); empty if
/// there is no such executable.
std::string find_program(const std::string& program);

}  // namespace camdump::io
