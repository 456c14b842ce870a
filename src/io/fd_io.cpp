// SPDX-License-Identifier: MIT
// poll()-based timed reads and full writes for the fd transports.
#include "io/fd_io.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.hpp"
#include "core/errno_text.hpp"

namespace camdump::io {

size_t fd_read(int fd, std::span<uint8_t> buf, std::chrono::milliseconds timeout, const std::string& what) {
  if (buf.empty()) return 0;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, left.count() < 0 ? 0 : static_cast<int>(left.count()));
    if (r < 0) {
      if (errno == EINTR) continue;
      fail(ErrorKind::Io, what + ": poll failed: " + errno_text(errno));
    }
    if (r == 0) return 0;
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n > 0) return static_cast<size_t>(n);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n == 0 || errno == EIO || errno == ECONNRESET) fail(ErrorKind::Io, what + ": closed by the other end");
    fail(ErrorKind::Io, what + ": read failed: " + errno_text(errno));
  }
}

void fd_write_all(int fd, std::span<const uint8_t> data, const std::string& what, bool is_socket) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = is_socket ? ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL)
                          : ::write(fd, data.data() + done, data.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, 1000);
      continue;
    }
    if (n < 0 && (errno == EPIPE || errno == EIO || errno == ECONNRESET))
      fail(ErrorKind::Io, what + ": closed by the other end");
    fail(ErrorKind::Io, what + ": write failed: " + errno_text(errno));
  }
}

}  // namespace camdump::io
