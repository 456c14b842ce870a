// SPDX-License-Identifier: MIT
// Program-on-a-pty transport (forkpty(3), cfmakeraw(3)).
#include "io/exec_transport.hpp"

#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "core/error.hpp"
#include "core/errno_text.hpp"
#include "io/fd_io.hpp"

namespace camdump::io {

std::string find_program(const std::string& program) {
  if (program.empty()) return {};
  if (program.find('/') != std::string::npos) return ::access(program.c_str(), X_OK) == 0 ? program : "";
  const char* path = std::getenv("PATH");
  std::string dirs = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    std::string full = (dir.empty() ? "." : dir) + "/" + program;
    if (::access(full.c_str(), X_OK) == 0) return full;
    start = end + 1;
  }
  return {};
}

ExecTransport::ExecTransport(std::vector<std::string> argv) : argv_(std::move(argv)) {
  if (argv_.empty())
    fail(ErrorKind::Usage, "exec: no command given", "write the command after exec:, e.g. exec:'busybox sh -i'");
  what_ = "exec:" + argv_[0];
  std::string path = find_program(argv_[0]);
  if (path.empty())
    fail(ErrorKind::NotFound, "exec: program '" + argv_[0] + "' not found",
         "check the name, or give the full path of the program");
  termios raw{};
  cfmakeraw(&raw);
  cfsetispeed(&raw, B115200);
  cfsetospeed(&raw, B115200);
  winsize ws{};
  ws.ws_row = 50;
  ws.ws_col = 1000;  // wide, so shells with line editing never wrap a long command line
  std::vector<char*> args;
  for (auto& a : argv_) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = ::forkpty(&master_, nullptr, &raw, &ws);
  if (pid < 0) fail(ErrorKind::Io, std::string("exec: forkpty failed: ") + errno_text(errno));
  if (pid == 0) {
    ::signal(SIGPIPE, SIG_DFL);
    ::signal(SIGINT, SIG_DFL);
    ::execv(path.c_str(), args.data());
    const char msg[] = "exec: cannot start the program\r\n";
    (void)!::write(1, msg, sizeof msg - 1);
    _exit(127);
  }
  pid_ = pid;
  ::fcntl(master_, F_SETFD, FD_CLOEXEC);
}

ExecTransport::~ExecTransport() {
  if (master_ >= 0) ::close(master_);  // the program sees a hangup
  if (pid_ <= 0) return;
  // forkpty made the child a session (and process group) leader: signal the group by its id, so
  // helpers it started go too, then reap the child.
  int st = 0;
  if (::waitpid(pid_, &st, WNOHANG) == pid_) return;
  ::kill(-pid_, SIGTERM);
  ::kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
  while (std::chrono::steady_clock::now() < deadline) {
    pid_t r = ::waitpid(pid_, &st, WNOHANG);
    if (r == pid_ || r < 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
  while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {}
}

std::string ExecTransport::describe() const {
  std::string s = "exec:";
  for (size_t i = 0; i < argv_.size(); ++i) s += (i ? " " : "") + argv_[i];
  return s;
}

size_t ExecTransport::do_read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) {
  try {
    return fd_read(master_, buf, timeout, what_);
  } catch (const Error& e) {
    // The pty hung up: say how the program ended (reaping it here; the destructor then has
    // nothing left to stop).
    int st = 0;
    pid_t r = 0;
    for (int i = 0; i < 100 && (r = ::waitpid(pid_, &st, WNOHANG)) == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    if (r != pid_) throw;
    pid_ = -1;
    std::string how = WIFEXITED(st)     ? "exited with status " + std::to_string(WEXITSTATUS(st))
                      : WIFSIGNALED(st) ? "was killed by signal " + std::to_string(WTERMSIG(st))
                                        : "ended";
    fail(ErrorKind::Io, what_ + ": the program " + how, "run the command by hand to see why it stopped");
  }
}

void ExecTransport::do_write(std::span<const uint8_t> data) { fd_write_all(master_, data, what_, false); }

}  // namespace camdump::io
