// SPDX-License-Identifier: MIT
// termios-based transport for pseudo-terminal slaves, which libserialport refuses.
#include "io/pty_device_transport.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "core/error.hpp"
#include "core/errno_text.hpp"
#include "io/fd_io.hpp"
#include "io/port_lock.hpp"

namespace camdump::io {
namespace {

speed_t to_speed(uint32_t baud) {
  switch (baud) {
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    case 460800: return B460800;
    case 921600: return B921600;
    case 1000000: return B1000000;
    case 1500000: return B1500000;
    case 2000000: return B2000000;
    case 3000000: return B3000000;
    default: return 0;
  }
}

}  // namespace

bool is_pty_device(const std::string& path) {
  char real[PATH_MAX];
  if (!::realpath(path.c_str(), real)) return false;
  return std::strncmp(real, "/dev/pts/", 9) == 0 && std::strcmp(real, "/dev/pts/ptmx") != 0;
}

PtyDeviceTransport::PtyDeviceTransport(const std::string& path, uint32_t baud) : path_(path), baud_(baud) {
  fd_ = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd_ < 0) {
    int e = errno;
    if (e == EACCES || e == EPERM)
      fail(ErrorKind::Permission, "cannot open " + path + ": permission denied",
           "the pseudo-terminal belongs to another user; run as that user");
    if (e == EBUSY) fail_busy(path);
    fail(ErrorKind::Io, "cannot open " + path + ": " + errno_text(e));
  }
  try {
    lock_port(fd_, path);
  } catch (...) {
    ::close(fd_);
    throw;
  }
  termios t{};
  if (::tcgetattr(fd_, &t) != 0) {
    ::close(fd_);
    fail(ErrorKind::Io, path + " is not a terminal");
  }
  cfmakeraw(&t);  // 8 data bits, no parity, no translation, no echo
  t.c_cflag &= ~(CSTOPB | CRTSCTS);
  t.c_cflag |= CLOCAL | CREAD;
  t.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
  ::tcsetattr(fd_, TCSANOW, &t);
  if (!set_baud(baud)) {
    ::close(fd_);
    fail(ErrorKind::Unsupported, path + ": cannot set " + std::to_string(baud) + " baud",
         "use a standard rate such as 115200");
  }
}

PtyDeviceTransport::~PtyDeviceTransport() {
  if (fd_ >= 0) {
    unlock_port(fd_);
    ::close(fd_);
  }
}

bool PtyDeviceTransport::set_baud(uint32_t baud) {
  speed_t s = to_speed(baud);
  termios t{};
  if (s == 0 || ::tcgetattr(fd_, &t) != 0) return false;
  ::tcdrain(fd_);  // queued bytes leave at the old rate first
  cfsetispeed(&t, s);
  cfsetospeed(&t, s);
  if (::tcsetattr(fd_, TCSANOW, &t) != 0) return false;
  baud_ = baud;
  return true;
}

size_t PtyDeviceTransport::do_read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) {
  return fd_read(fd_, buf, timeout, path_);
}

void PtyDeviceTransport::do_write(std::span<const uint8_t> data) { fd_write_all(fd_, data, path_, false); }

}  // namespace camdump::io
