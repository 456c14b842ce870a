// SPDX-License-Identifier: MIT
// Telnet transports over TCP:
//  - `telnet:HOST[:PORT]` (Mode::Shell): a plain client for camera telnet shells. It accepts only
//    SGA and ECHO from the server, refuses every other option, strips all IAC sequences from the
//    data and sends CR as CR NUL (NVT, RFC 854). Not 8-bit clean.
//  - `rfc2217:HOST:PORT` (Mode::ComPort): telnet with the COM-PORT-OPTION (RFC 2217) as served by
//    ser2net's `telnet(rfc2217)` accepter. Negotiates BINARY both ways (RFC 856), so with IAC
//    doubling every byte value passes unchanged; SET-BAUDRATE/DATASIZE/PARITY/STOPSIZE/CONTROL set
//    the remote port to BAUD 8N1 without flow control, and set_baud() changes the rate remotely.
#pragma once
#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "io/telnet_codec.hpp"
#include "io/transport.hpp"

namespace camdump::io {

class TelnetTransport : public Transport {
 public:
  enum class Mode { Shell, ComPort };
  /// Connects and negotiates. ComPort: throws Error(Unsupported) when the server refuses RFC 2217;
  /// `baud` 0 leaves the remote rate as it is.
  TelnetTransport(Mode mode, const std::string& host, uint16_t port, uint32_t baud = 0);
  ~TelnetTransport() override;
  TelnetTransport(const TelnetTransport&) = delete;
  TelnetTransport& operator=(const TelnetTransport&) = delete;

  /// ComPort: SET-BAUDRATE, true once the server confirms the new rate (within 3 s).
  bool set_baud(uint32_t baud) override;
  std::optional<uint32_t> baud() const override { return baud_; }
  bool eight_bit_clean() const override { return mode_ == Mode::ComPort; }
  std::string describe() const override;

 protected:
  size_t do_read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) override;
  void do_write(std::span<const uint8_t> data) override;

 private:
  enum class Opt : uint8_t { Off, Asked, On };
  /// Reads once from the socket (waiting at most `timeout`), decodes, answers negotiation and
  /// queues data bytes in `rx_`. Returns false on timeout.
  bool pump(std::chrono::milliseconds timeout);
  void handle(const TelnetEvent& ev);
  bool accept_local(uint8_t option) const;   ///< options we perform (answer to DO)
  bool accept_remote(uint8_t option) const;  ///< options the server may perform (answer to WILL)
  void send_raw(const std::vector<uint8_t>& bytes);
  void send_com_port(uint8_t command, std::span<const uint8_t> value);
  /// Pumps until `done()` or the deadline; false on timeout.
  template <class Pred>
  bool pump_until(Pred done, std::chrono::milliseconds timeout);

  Mode mode_;
  std::string spec_;
  int fd_ = -1;
  TelnetDecoder decoder_;
  std::deque<uint8_t> rx_;
  std::array<Opt, 256> local_{}, remote_{};
  std::optional<uint32_t> baud_;
  std::optional<uint32_t> baud_reply_;
};

}  // namespace camdump::io
