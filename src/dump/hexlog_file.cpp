// SPDX-License-Identifier: MIT
// Reading an md log from a path or stdin (see hexlog.hpp): refuses what is no log (a device, a
// directory, a file larger than any md log), maps a regular file and parses it in place in parts
// (hexlog_parallel.cpp), and reads a pipe or stdin block by block.
#include "dump/hexlog.hpp"

#include "core/errno_text.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <fmt/core.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

namespace camdump::dump {
namespace {

constexpr size_t kReadBlock = 4u << 20;  // a pipe or stdin is read in blocks of this size

// The log's file descriptor, closed when reading ends (stdin stays open).
class LogFd {
 public:
  LogFd(int fd, bool is_stdin) : fd_(fd), is_stdin_(is_stdin) {}
  LogFd(const LogFd&) = delete;
  LogFd& operator=(const LogFd&) = delete;
  ~LogFd() {
    if (!is_stdin_) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
  bool is_stdin_;
};

// A regular file mapped whole for reading, unmapped at the end.
class Mapping {
 public:
  Mapping(void* m, size_t len) : m_(m), len_(len) {}
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  ~Mapping() { ::munmap(m_, len_); }
  std::string_view text() const { return {static_cast<const char*>(m_), len_}; }

 private:
  void* m_;
  size_t len_;
};

int open_log(const std::filesystem::path& path, bool is_stdin) {
  const int fd = is_stdin ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    fail_errno(errno, "cannot open " + path.string());
  }
  return fd;
}

// A device never ends (/dev/zero) or is not a log (/dev/ttyUSB0: use dump uart); a directory is
// no log either; a regular file larger than any md log is an image or a disk. A pipe is fine.
void refuse_non_log(const struct stat& st, const std::filesystem::path& path, bool is_stdin, uint64_t max_log_bytes) {
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISDIR(st.st_mode))
    fail(ErrorKind::Usage,
         fmt::format("{} is a {}, not a log file", is_stdin ? "stdin" : path.string(),
                     S_ISDIR(st.st_mode) ? "directory" : "device"),
         "capture the console to a file first (screen -L, picocom --logfile), or read a live camera with "
         "camdump dump uart PORT");
  if (max_log_bytes && S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > max_log_bytes)
    fail(ErrorKind::Usage,
         fmt::format("{} is {} bytes, more than any md log of the largest flash ({} bytes)", path.string(),
                     static_cast<uint64_t>(st.st_size), max_log_bytes),
         "pass the console log of the dump, not an image or a disk");
}

// The whole file mapped for sequential reading; nullptr when mmap fails (the caller reads it).
std::unique_ptr<Mapping> map_log(int fd, size_t len) {
  void* m = ::mmap(nullptr, len, PROT_READ, MAP_PRIVATE, fd, 0);
  if (m == MAP_FAILED) return nullptr;
  ::madvise(m, len, MADV_SEQUENTIAL);
  return std::make_unique<Mapping>(m, len);
}

// Reads `fd` block by block into `feed` until its end; stays stoppable and refuses an endless stream.
template <class Feed>
void read_blocks(int fd, const std::filesystem::path& path, bool is_stdin, const HexlogOptions& opt, Feed feed) {
  std::unique_ptr<char[]> buf(new char[kReadBlock]);
  uint64_t total = 0;
  for (;;) {
    ssize_t n = ::read(fd, buf.get(), kReadBlock);
    if (n < 0 && errno == EINTR) {
      check_cancel(opt.cancel);
      continue;
    }
    if (n < 0) {
      int e = errno;
      fail(ErrorKind::Io, fmt::format("cannot read {}: {}", path.string(), errno_text(e)));
    }
    if (n == 0) break;
    total += static_cast<uint64_t>(n);
    if (opt.max_log_bytes && total > opt.max_log_bytes)
      fail(ErrorKind::Usage,
           fmt::format("{} goes on past {} bytes, more than any md log of the largest flash",
                       is_stdin ? "stdin" : path.string(), opt.max_log_bytes),
           "pass the console log of the dump, not an endless stream");
    feed(std::string_view(buf.get(), static_cast<size_t>(n)));
  }
}

}  // namespace

void HexlogReader::read_path(const std::filesystem::path& path) {
  const bool is_stdin = path == "-";
  const LogFd fd(open_log(path, is_stdin), is_stdin);
  struct stat st {};
  const bool have_stat = ::fstat(fd.get(), &st) == 0;
  if (have_stat) refuse_non_log(st, path, is_stdin, opt_.max_log_bytes);
  if (!is_stdin)
    ::fcntl(fd.get(), F_SETFL,
            ::fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK);  // O_NONBLOCK only kept open() of a FIFO from hanging
#ifdef POSIX_FADV_SEQUENTIAL
  if (!is_stdin) ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  begin_source();
  // Regular file: map it and parse it in place (no copy), in parts on all cores.
  const bool mappable = !is_stdin && have_stat && S_ISREG(st.st_mode) && st.st_size > 0;
  const std::unique_ptr<Mapping> map = mappable ? map_log(fd.get(), static_cast<size_t>(st.st_size)) : nullptr;
  if (map) {
    populate_ = true;
    try {
      feed_parallel(map->text());
    } catch (...) {
      populate_ = false;
      throw;
    }
    populate_ = false;
  } else {
    read_blocks(fd.get(), path, is_stdin, opt_, [&](std::string_view block) { feed(block); });
  }
  end_source();
}

}  // namespace camdump::dump
