// SPDX-License-Identifier: MIT
#include "core/file_util.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.hpp"
#include "core/errno_text.hpp"

namespace camdump {

std::vector<uint8_t> read_file(const std::filesystem::path& path, uint64_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    fail_errno(errno, "cannot open " + path.string());
  }
  std::vector<uint8_t> data;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) <= max_bytes)
    data.reserve(static_cast<size_t>(st.st_size));
  uint8_t buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      fail(ErrorKind::Io, fmt::format("cannot read {}: {}", path.string(), errno_text(e)));
    }
    if (n == 0) break;
    if (static_cast<uint64_t>(n) > max_bytes - data.size()) {
      ::close(fd);
      fail(ErrorKind::Usage, fmt::format("{} holds more than {} bytes: not read (an endless device or the wrong file?)",
                                         path.string(), max_bytes));
    }
    data.insert(data.end(), buf, buf + n);
  }
  ::close(fd);
  return data;
}

}  // namespace camdump
