// SPDX-License-Identifier: MIT
// Test support: a raw pseudo-terminal pair owned by the test.
#include "support/pty.hpp"

#include <fcntl.h>
#include <pty.h>
#include <unistd.h>

#include <stdexcept>

namespace camdump::test {

PtyPair::PtyPair(bool keep_slave_open) {
  char name[256] = {};
  termios t{};
  cfmakeraw(&t);
  cfsetispeed(&t, B115200);
  cfsetospeed(&t, B115200);
  if (::openpty(&master_, &slave_, name, &t, nullptr) != 0) throw std::runtime_error("openpty failed");
  ::fcntl(master_, F_SETFD, FD_CLOEXEC);
  ::fcntl(slave_, F_SETFD, FD_CLOEXEC);
  path_ = name;
  if (!keep_slave_open) {
    ::close(slave_);
    slave_ = -1;
  }
}

PtyPair::~PtyPair() {
  if (slave_ >= 0) ::close(slave_);
  if (master_ >= 0) ::close(master_);
}

termios PtyPair::attrs() const {
  termios t{};
  if (::tcgetattr(master_, &t) != 0) throw std::runtime_error("tcgetattr on pty master failed");
  return t;
}

std::optional<unsigned> PtyPair::baud() const {
  termios t = attrs();
  unsigned b = speed_to_baud(cfgetispeed(&t));
  if (b == 0) return std::nullopt;
  return b;
}

unsigned speed_to_baud(speed_t s) {
  switch (s) {
    case B1200: return 1200;
    case B2400: return 2400;
    case B4800: return 4800;
    case B9600: return 9600;
    case B19200: return 19200;
    case B38400: return 38400;
    case B57600: return 57600;
    case B115200: return 115200;
    case B230400: return 230400;
    case B460800: return 460800;
    case B500000: return 500000;
    case B576000: return 576000;
    case B921600: return 921600;
    case B1000000: return 1000000;
    case B1500000: return 1500000;
    case B2000000: return 2000000;
    case B3000000: return 3000000;
    default: return 0;
  }
}

}  // namespace camdump::test
