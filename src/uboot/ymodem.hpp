// SPDX-License-Identifier: MIT
// YMODEM (Chuck Forsberg, "XMODEM/YMODEM Protocol Reference", 1988; docs/reference/ymodem.md), as
// U-Boot's `loady` receives it (common/xyzModem.c + cmd/load.c): the pure codec (CRC-16/XMODEM,
// block framing, block 0 with name and decimal size, the empty block 0 that ends the batch), a
// receiver state machine that behaves like xyzModem.c (used by the virtual camera and fuzzed), and
// the sender that drives a Transport: wait for 'C', block 0, 1024-byte STX blocks each until ACK
// ('C' or NAK = send again, duplicate blocks are re-ACKed by the receiver), EOT, the empty block 0.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "io/transport.hpp"

namespace camdump::uboot::ymodem {

inline constexpr uint8_t kSoh = 0x01, kStx = 0x02, kEot = 0x04, kAck = 0x06, kNak = 0x15, kCan = 0x18, kCrcReq = 'C',
                         kPad = 0x1a;

/// CRC-16/XMODEM (poly 0x1021, init 0, no reflection), the CRC of every CRC-mode block.
uint16_t crc16(std::span<const uint8_t> data, uint16_t crc = 0);

/// One framed block: SOH (128 data bytes) or STX (1024), seq, ~seq, data (padded with 0x1A, or
/// NUL for block 0), CRC-16 big-endian (crc=true) or the 8-bit sum.
std::vector<uint8_t> build_block(uint8_t seq, std::span<const uint8_t> data, bool large, bool crc = true);
/// Block 0: "name\0size\0" (size in decimal), NUL padded; an empty name ends the batch.
std::vector<uint8_t> build_header(const std::string& name, uint64_t size, bool crc = true);

/// A receiver that behaves like U-Boot's xyzModem.c in ymodem mode. Feed it the bytes the line
/// delivered; it returns what to send back. Pure: the caller calls timeout() when the line has
/// been quiet for the character timeout (2 s in xyzModem.c).
class Receiver {
 public:
  enum class State { WaitHeader, Data, WaitFinal, Done, Failed };
  explicit Receiver(uint64_t max_size) : max_(max_size) {}
  /// The first request ('C') sent when the receiver starts.
  std::string start();
  /// Bytes from the sender -> bytes to send back.
  std::string feed(std::span<const uint8_t> bytes);
  /// The line was quiet for the character timeout.
  std::string timeout();
  State state() const { return state_; }
  /// Received file bytes (cut to the size block 0 announced, like USE_YMODEM_LENGTH).
  const std::vector<uint8_t>& data() const { return data_; }
  const std::string& name() const { return name_; }
  std::optional<uint64_t> announced() const { return size_; }
  /// xyzModem's error text when Failed ("Timed out", "Cancelled", "Block sequence error", ...).
  const std::string& error() const { return error_; }
  unsigned soh() const { return soh_; }
  unsigned stx() const { return stx_; }
  unsigned can() const { return can_; }
  unsigned retries() const { return retries_; }

 private:
  std::string on_block(uint8_t seq, std::span<const uint8_t> payload);
  std::string nak();
  void fail(const char* why);

  uint64_t max_;
  State state_ = State::WaitHeader;
  std::vector<uint8_t> pkt_;  ///< bytes of the block being received
  bool in_block_ = false;
  size_t hdr_chars_ = 0;  ///< bytes seen while looking for a block start
  unsigned can_run_ = 0;
  uint8_t next_ = 0;
  unsigned tries_left_ = 20;  ///< xyzModem_MAX_RETRIES
  std::vector<uint8_t> data_;
  std::string name_, error_;
  std::optional<uint64_t> size_;
  unsigned soh_ = 0, stx_ = 0, can_ = 0, retries_ = 0;
};

struct SendOptions {
  std::chrono::milliseconds start_timeout{10000};  ///< for the receiver's first 'C'
  std::chrono::milliseconds ack_timeout{3000};     ///< per block (U-Boot's char timeout is 2 s)
  unsigned block_tries = 10;                       ///< sends of one block before giving up
  std::string pending;  ///< bytes already read from the line that belong to the transfer (a first 'C')
};

struct SendStats {
  uint64_t blocks = 0, resent = 0;
  uint64_t tx_bytes = 0, rx_bytes = 0;  ///< on the wire during the transfer
  std::string rest;                     ///< bytes read after the last ACK (the receiver's own text that follows)
};

/// Send one file and end the batch. Throws Error(Protocol) when the receiver cancels or a block
/// is never acknowledged, Error(Timeout) when no 'C' ever comes, Error(Cancelled) on cancel.
SendStats send(io::Transport& t, const std::string& name, std::span<const uint8_t> data, const SendOptions& o,
               const CancelFlag* cancel);

}  // namespace camdump::uboot::ymodem
