// SPDX-License-Identifier: MIT
// IPv4 UDP endpoints and a small non-blocking socket for the TFTP server: every transfer gets one
// of its own on an ephemeral port (its TID, RFC 1350 §4), the listener sits on port 69 (or what
// --listen says).
#pragma once
#include <netinet/in.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace camdump::tftp {

struct Endpoint {
  sockaddr_in addr{};
  std::string str() const;  ///< "1.2.3.4:5678"
  uint16_t port() const;
  bool operator==(const Endpoint& o) const;
};

/// "ADDR", "ADDR:PORT" or ":PORT" (IPv4 dotted quad; "localhost" = 127.0.0.1) with `default_port`
/// when no port is given. nullopt on garbage.
std::optional<Endpoint> parse_endpoint(std::string_view text, uint16_t default_port);

class UdpSocket {
 public:
  UdpSocket() = default;
  /// Bind to `at` (port 0 = ephemeral). Throws Error: Permission for a privileged port with the
  /// fix in the message, Io for "address in use" and the rest.
  static UdpSocket bind(const Endpoint& at);
  UdpSocket(UdpSocket&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  UdpSocket& operator=(UdpSocket&& o) noexcept;
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;
  ~UdpSocket();

  int fd() const { return fd_; }
  Endpoint local() const;
  /// One datagram, or nullopt when none is waiting (non-blocking). Truncated datagrams are
  /// reported with their real size capped at buf.size().
  std::optional<size_t> recv_from(std::span<uint8_t> buf, Endpoint& from);
  /// Send one datagram; false when the kernel refused it (the caller's retransmission covers it).
  bool send_to(std::span<const uint8_t> data, const Endpoint& to);

 private:
  int fd_ = -1;
};

}  // namespace camdump::tftp
