// SPDX-License-Identifier: MIT
// IPv4 UDP endpoints and sockets for the TFTP server. See udp.hpp.
#include "tftp/udp.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/core.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "core/error.hpp"
#include "core/errno_text.hpp"

namespace camdump::tftp {

std::string Endpoint::str() const {
  char ip[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &addr.sin_addr, ip, sizeof ip);
  return fmt::format("{}:{}", ip, port());
}

uint16_t Endpoint::port() const { return ntohs(addr.sin_port); }

bool Endpoint::operator==(const Endpoint& o) const {
  return addr.sin_addr.s_addr == o.addr.sin_addr.s_addr && addr.sin_port == o.addr.sin_port;
}

std::optional<Endpoint> parse_endpoint(std::string_view text, uint16_t default_port) {
  std::string host(text);
  uint16_t port = default_port;
  if (auto colon = text.rfind(':'); colon != std::string_view::npos) {
    host = std::string(text.substr(0, colon));
    auto p = text.substr(colon + 1);
    unsigned v = 0;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (ec != std::errc() || end != p.data() + p.size() || p.empty() || v > 65535) return std::nullopt;
    port = static_cast<uint16_t>(v);
  }
  if (host.empty()) host = "0.0.0.0";
  if (host == "localhost") host = "127.0.0.1";
  Endpoint e;
  e.addr.sin_family = AF_INET;
  e.addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &e.addr.sin_addr) != 1) return std::nullopt;
  return e;
}

UdpSocket& UdpSocket::operator=(UdpSocket&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

UdpSocket UdpSocket::bind(const Endpoint& at) {
  UdpSocket s;
  s.fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s.fd_ < 0) fail(ErrorKind::Io, fmt::format("cannot create a UDP socket: {}", errno_text(errno)));
  int buf = 4 << 20;  // room for a whole window of large blocks
  ::setsockopt(s.fd_, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  ::setsockopt(s.fd_, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
  if (::bind(s.fd_, reinterpret_cast<const sockaddr*>(&at.addr), sizeof at.addr) != 0) {
    int e = errno;
    if (e == EACCES || e == EPERM)
      fail(ErrorKind::Permission,
           fmt::format("cannot listen on UDP {}: ports below 1024 need privileges; run as root or "
                       "`setcap cap_net_bind_service=+ep $(which camdump)`",
                       at.str()));
    if (e == EADDRINUSE)
      fail(ErrorKind::Io, fmt::format("UDP {} is already in use (another TFTP server?)", at.str()),
           "stop the other server, or choose another port with --listen ADDR:PORT");
    if (e == EADDRNOTAVAIL)
      fail(ErrorKind::Usage, fmt::format("cannot listen on {}: no local interface has that address", at.str()),
           "use 0.0.0.0 or an address of this machine");
    fail(ErrorKind::Io, fmt::format("cannot bind UDP {}: {}", at.str(), errno_text(e)));
  }
  return s;
}

Endpoint UdpSocket::local() const {
  Endpoint e;
  socklen_t len = sizeof e.addr;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&e.addr), &len);
  return e;
}

std::optional<size_t> UdpSocket::recv_from(std::span<uint8_t> buf, Endpoint& from) {
  for (;;) {
    socklen_t len = sizeof from.addr;
    ssize_t n = ::recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from.addr), &len);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno == EINTR) continue;
    return std::nullopt;  // EAGAIN, or an ICMP error surfaced as ECONNREFUSED: nothing to read
  }
}

bool UdpSocket::send_to(std::span<const uint8_t> data, const Endpoint& to) {
  for (;;) {
    ssize_t n = ::sendto(fd_, data.data(), data.size(), 0, reinterpret_cast<const sockaddr*>(&to.addr), sizeof to.addr);
    if (n >= 0) return true;
    if (errno == EINTR) continue;
    return false;
  }
}

}  // namespace camdump::tftp
