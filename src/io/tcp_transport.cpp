// SPDX-License-Identifier: MIT
// Raw TCP transport and the connect helper shared with telnet:/rfc2217:.
#include "io/tcp_transport.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.hpp"
#include "core/errno_text.hpp"
#include "io/fd_io.hpp"

namespace camdump::io {
namespace {

// Non-blocking connect bounded by `timeout`; returns 0 or an errno.
int connect_one(int fd, const addrinfo* ai, std::chrono::milliseconds timeout) {
  int flags = ::fcntl(fd, F_GETFL);
  ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  int err = 0;
  if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
    if (errno != EINPROGRESS) return errno;
    pollfd p{fd, POLLOUT, 0};
    int r;
    do r = ::poll(&p, 1, static_cast<int>(timeout.count()));
    while (r < 0 && errno == EINTR);
    if (r == 0) return ETIMEDOUT;
    socklen_t len = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  }
  ::fcntl(fd, F_SETFL, flags);
  return err;
}

}  // namespace

int tcp_connect(const std::string& host, uint16_t port, const std::string& spec, std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int gai = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (gai != 0)
    fail(ErrorKind::NotFound, spec + ": cannot resolve host '" + host + "': " + ::gai_strerror(gai),
         "check the host name or use an IP address");
  int last = 0;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last = errno;
      continue;
    }
    last = connect_one(fd, ai, timeout);
    if (last == 0) {
      ::freeaddrinfo(res);
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      return fd;
    }
    ::close(fd);
  }
  ::freeaddrinfo(res);
  if (last == ECONNREFUSED)
    fail(ErrorKind::Io, spec + ": connection refused",
         "is the console server (e.g. ser2net) running and listening on that port?");
  if (last == ETIMEDOUT)
    fail(ErrorKind::Timeout, spec + ": no answer to the connection attempt",
         "check the address and that no firewall drops the port");
  fail(ErrorKind::Io, spec + ": cannot connect: " + errno_text(last), "check the address and port");
}

TcpTransport::TcpTransport(const std::string& host, uint16_t port)
    : spec_("tcp:" + host + ":" + std::to_string(port)), fd_(tcp_connect(host, port, spec_)) {}

TcpTransport::~TcpTransport() {
  if (fd_ >= 0) ::close(fd_);
}

size_t TcpTransport::do_read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) {
  return fd_read(fd_, buf, timeout, spec_);
}

void TcpTransport::do_write(std::span<const uint8_t> data) { fd_write_all(fd_, data, spec_, true); }

}  // namespace camdump::io
