// SPDX-License-Identifier: MIT
// `tcp:HOST:PORT`: a raw TCP byte stream, as ser2net (or any console server) serves a serial
// port. 8-bit clean; TCP_NODELAY so single keystrokes (Ctrl-C) leave at once.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

#include "io/transport.hpp"

namespace camdump::io {

/// Connects to HOST:PORT (IPv4/IPv6, TCP_NODELAY, close-on-exec). `spec` names the port in errors.
/// Throws Error(NotFound) for an unknown host, Error(Io) for refused/unreachable/timeout with a hint.
int tcp_connect(const std::string& host, uint16_t port, const std::string& spec,
                std::chrono::milliseconds timeout = std::chrono::seconds(5));

class TcpTransport : public Transport {
 public:
  TcpTransport(const std::string& host, uint16_t port);
  ~TcpTransport() override;
  TcpTransport(const TcpTransport&) = delete;
  TcpTransport& operator=(const TcpTransport&) = delete;

  bool eight_bit_clean() const override { return true; }
  std::string describe() const override { return spec_; }

 protected:
  size_t do_read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) override;
  void do_write(std::span<const uint8_t> data) override;

 private:
  std::string spec_;
  int fd_ = -1;
};

}  // namespace camdump::io
