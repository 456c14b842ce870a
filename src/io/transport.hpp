// SPDX-License-Identifier: MIT
// A byte stream to a device console: serial port, TCP (raw or RFC 2217), a program on a
// pseudo-terminal (exec:), telnet, or the built-in virtual camera (sim:). Everything above this
// layer (U-Boot session, Linux shell, binary stub) talks to a Transport and never knows which.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace camdump::io {

class Transport {
 public:
  virtual ~Transport() = default;

  /// Read up to buf.size() bytes, waiting at most `timeout` for the first one; returns what
  /// arrived (0 on timeout). Throws Error(Io) when the peer has closed the stream.
  size_t read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) {
    size_t n = do_read(buf, timeout);
    rx_bytes_ += n;
    return n;
  }
  /// Write all of `data` (blocking).
  void write(std::span<const uint8_t> data) {
    do_write(data);
    tx_bytes_ += data.size();
  }
  void write(std::string_view text) {
    write(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  }

  /// Change the line rate of the local end; false when this transport cannot (raw TCP, pipes).
  virtual bool set_baud(uint32_t) { return false; }
  /// Current line rate, when the transport has one.
  virtual std::optional<uint32_t> baud() const { return std::nullopt; }
  /// True when all 256 byte values pass unchanged both ways (needed by the binary fast path).
  virtual bool eight_bit_clean() const { return false; }
  /// Human-readable description for logs ("/dev/ttyUSB0 at 115200", "tcp:127.0.0.1:4000").
  virtual std::string describe() const = 0;

  /// Bytes received / sent so far (wire accounting for benchmarks and summaries).
  uint64_t rx_bytes() const { return rx_bytes_; }
  uint64_t tx_bytes() const { return tx_bytes_; }

 protected:
  virtual size_t do_read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) = 0;
  virtual void do_write(std::span<const uint8_t> data) = 0;

 private:
  uint64_t rx_bytes_ = 0, tx_bytes_ = 0;
};

}  // namespace camdump::io
