// SPDX-License-Identifier: MIT
// Test support: child processes (fork/exec, stopped by PID and reaped), ports, temp dirs.
#include "support/process.hpp"
#include "support/paths.hpp"
#include "core/errno_text.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace camdump::test {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// In the child after fork: only async-signal-safe calls.
[[noreturn]] void child_exec(const std::vector<std::string>& argv, const SpawnOptions& o, int in_r, int out_w,
                             int err_pipe) {
  auto die = [&](int e) {
    (void)!::write(err_pipe, &e, sizeof e);
    _exit(127);
  };
  ::setpgid(0, 0);  // own process group: a Ctrl-C in the terminal does not reach it twice
  int in = in_r >= 0 ? in_r : ::open("/dev/null", O_RDONLY);
  if (in < 0 || ::dup2(in, 0) < 0) die(errno);
  int out = out_w;
  if (out < 0 && !o.stdout_file.empty()) out = ::open(o.stdout_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (out >= 0 && ::dup2(out, 1) < 0) die(errno);
  if (o.stderr_to_stdout) {
    if (::dup2(1, 2) < 0) die(errno);
  } else if (!o.stderr_file.empty()) {
    int e = ::open(o.stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (e < 0 || ::dup2(e, 2) < 0) die(errno);
  }
  if (!o.cwd.empty() && ::chdir(o.cwd.c_str()) != 0) die(errno);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::signal(SIGPIPE, SIG_DFL);
  ::execvp(args[0], args.data());
  die(errno);
  _exit(127);
}

}  // namespace

Process Process::spawn(const std::vector<std::string>& argv, const SpawnOptions& opts) {
  if (argv.empty()) throw std::runtime_error("Process::spawn: empty argv");
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
  if (opts.pipe_stdin && ::pipe2(in, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  if (opts.pipe_stdout && ::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  if (::pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork failed: ") + errno_text(errno));
  if (pid == 0) child_exec(argv, opts, in[0], out[1], err[1]);
  ::close(err[1]);
  if (in[0] >= 0) ::close(in[0]);
  if (out[1] >= 0) ::close(out[1]);
  Process p;
  p.pid_ = pid;
  p.in_fd_ = in[1];
  p.out_fd_ = out[0];
  int child_errno = 0;
  ssize_t n;
  do n = ::read(err[0], &child_errno, sizeof child_errno);
  while (n < 0 && errno == EINTR);
  ::close(err[0]);
  if (n == sizeof child_errno) {
    p.stop(0ms);
    throw std::runtime_error("cannot start " + argv[0] + ": " + errno_text(child_errno));
  }
  return p;
}

Process::Process(Process&& o) noexcept { *this = std::move(o); }

Process& Process::operator=(Process&& o) noexcept {
  if (this != &o) {
    stop();
    pid_ = o.pid_;
    in_fd_ = o.in_fd_;
    out_fd_ = o.out_fd_;
    status_ = o.status_;
    o.pid_ = -1;
    o.in_fd_ = o.out_fd_ = -1;
    o.status_.reset();
  }
  return *this;
}

Process::~Process() { stop(); }

void Process::close_stdin() { close_fd(in_fd_); }

bool Process::running() {
  if (pid_ < 0 || status_) return false;
  int st = 0;
  pid_t r = ::waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    status_ = st;
    return false;
  }
  return r == 0;
}

std::optional<int> Process::wait_exit(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (running()) {
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(5ms);
  }
  return status_;
}

int Process::stop(std::chrono::milliseconds grace) {
  close_fd(in_fd_);
  close_fd(out_fd_);
  if (pid_ < 0) return -1;
  int st = status_ ? *status_ : stop_pid(pid_, grace);
  pid_ = -1;
  status_.reset();
  return st;
}

std::optional<std::string> Process::read_until(std::string_view needle, std::chrono::milliseconds timeout) {
  std::string acc;
  if (read_fd_until(out_fd_, acc, needle, timeout)) return acc;
  return std::nullopt;
}

int stop_pid(pid_t pid, std::chrono::milliseconds grace) {
  if (pid <= 0) return -1;
  int st = 0;
  pid_t r = ::waitpid(pid, &st, WNOHANG);
  if (r == pid) return st;
  if (r < 0) return -1;  // not our child (or already reaped)
  ::kill(pid, SIGTERM);
  auto deadline = Clock::now() + grace;
  while (Clock::now() < deadline) {
    r = ::waitpid(pid, &st, WNOHANG);
    if (r == pid) return st;
    if (r < 0) return -1;
    std::this_thread::sleep_for(5ms);
  }
  ::kill(pid, SIGKILL);
  while ((r = ::waitpid(pid, &st, 0)) < 0 && errno == EINTR) {}
  return r == pid ? st : -1;
}

static uint16_t free_port(int type) {
  int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot bind 127.0.0.1:0");
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

uint16_t free_tcp_port() { return free_port(SOCK_STREAM); }
uint16_t free_udp_port() { return free_port(SOCK_DGRAM); }

bool wait_tcp_listening(uint16_t port, std::chrono::milliseconds timeout) {
  // /proc/net/tcp lines: "sl local_address rem_address st ..."; 0100007F:PORT, state 0A = LISTEN.
  char want[32];
  std::snprintf(want, sizeof want, "0100007F:%04X", port);
  char any[32];
  std::snprintf(any, sizeof any, "00000000:%04X", port);
  auto deadline = Clock::now() + timeout;
  do {
    std::ifstream f("/proc/net/tcp");
    std::string line;
    while (std::getline(f, line)) {
      std::istringstream ss(line);
      std::string sl, local, remote, state;
      ss >> sl >> local >> remote >> state;
      if ((local == want || local == any) && state == "0A") return true;
    }
    std::this_thread::sleep_for(10ms);
  } while (Clock::now() < deadline);
  return false;
}

int connect_tcp(uint16_t port, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  do {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) return fd;
    ::close(fd);
    std::this_thread::sleep_for(10ms);
  } while (Clock::now() < deadline);
  return -1;
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        pollfd p{fd, POLLOUT, 0};
        ::poll(&p, 1, 100);
        continue;
      }
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool read_fd_until(int fd, std::string& acc, std::string_view needle, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  if (acc.find(needle) != std::string::npos) return true;
  while (fd >= 0) {
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, remaining_ms(deadline));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return false;
    size_t from = acc.size() > needle.size() ? acc.size() - needle.size() : 0;
    acc.append(buf, static_cast<size_t>(n));
    if (acc.find(needle, from) != std::string::npos) return true;
  }
  return false;
}

std::string read_fd_n(int fd, size_t want, std::chrono::milliseconds timeout) {
  std::string acc;
  auto deadline = Clock::now() + timeout;
  while (acc.size() < want) {
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, remaining_ms(deadline));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    char buf[4096];
    size_t room = std::min(sizeof buf, want - acc.size());
    ssize_t n = ::read(fd, buf, room);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) break;
    acc.append(buf, static_cast<size_t>(n));
  }
  return acc;
}

std::optional<std::string> wait_file_contains(const std::filesystem::path& file, std::string_view needle,
                                              std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  do {
    std::string s = read_file(file);
    if (s.find(needle) != std::string::npos) return s;
    std::this_thread::sleep_for(10ms);
  } while (Clock::now() < deadline);
  return std::nullopt;
}

CommandResult run_command(const std::vector<std::string>& argv, const std::filesystem::path& dir,
                          std::chrono::seconds timeout, const std::filesystem::path& cwd) {
  SpawnOptions o;
  o.stdout_file = (dir / "stdout.txt").string();
  o.stderr_file = (dir / "stderr.txt").string();
  o.cwd = cwd.string();
  auto p = Process::spawn(argv, o);
  CommandResult r;
  auto st = p.wait_exit(timeout);
  r.status = st ? (WIFEXITED(*st) ? WEXITSTATUS(*st) : 128) : -1;
  if (!st) p.stop();
  r.out = read_file(dir / "stdout.txt");
  r.err = read_file(dir / "stderr.txt");
  return r;
}

CommandResult run_camdump(const std::vector<std::string>& args, const std::filesystem::path& dir,
                          std::chrono::seconds timeout, const std::filesystem::path& cwd) {
  std::vector<std::string> argv{camdump::test::camdump_exe()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, dir, timeout, cwd);
}

CommandResult run_camdump_in(const std::vector<std::string>& args, const TempDir& dir, std::chrono::seconds timeout) {
  return run_camdump(args, dir.path(), timeout, dir.path());
}

ShellResult run_shell(const std::string& cmd) {
  ShellResult r;
  FILE* p = ::popen((cmd + " 2>/dev/null").c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int st = ::pclose(p);
  r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

std::string flashrom_path() {
  for (const char* p : {"/usr/sbin/flashrom", "/usr/bin/flashrom", "/usr/local/sbin/flashrom"})
    if (std::filesystem::exists(p)) return p;
  return "flashrom";
}

}  // namespace camdump::test
