// SPDX-License-Identifier: MIT
// The receive mode's wire format, host side (src/stub/stub_abi.h, docs/stub.md "Receive mode"):
// the host's data frames ('W') and a decoder for what the stub answers while it receives ('K'/'N'
// per frame, 'E' with the CRC-32 of the whole region, and 'H'/'S'/'Y' around the rate switch).
// The decoder finds intact packets in a damaged stream (dropped, flipped, inserted bytes) by their
// sync bytes and CRC-32, like StubStreamDecoder, and keeps the bytes outside packets (console text
// after a reboot).
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "stub/stub_abi.h"

namespace camdump::uboot {

/// Host -> stub data frame: 0x5a 0xa5 'W' seq tag n HCRC payload DCRC (n = payload.size()).
std::vector<uint8_t> encode_write_frame(uint32_t seq, uint16_t tag, std::span<const uint8_t> payload);
/// Host-side wire characters of a frame with `n` payload bytes.
constexpr uint64_t write_frame_chars(uint64_t n) { return CDSTUB_RX_HEADER + n + 4; }
/// Stub -> host answer 'K' (written) or 'N' (damaged) for frame seq, copy tag (tests, the sim).
std::vector<uint8_t> encode_answer(bool ok, uint32_t seq, uint32_t tag);

struct FrameAnswer {
  bool ok = false;  ///< 'K': the slot holds the copy's bytes; 'N': the copy arrived damaged
  uint32_t seq = 0;
  uint32_t tag = 0;
};

class StubAnswerDecoder {
 public:
  /// Feed received bytes; intact packets are decoded at once.
  void feed(std::span<const uint8_t> bytes);
  /// The line went quiet: an unfinished packet will not finish; scan past it.
  void idle();

  /// Frame answers in arrival order since the last call.
  std::vector<FrameAnswer> take_answers();
  size_t answers_waiting() const { return answers_.size(); }
  /// The last 'E': CRC-32 of the region and its length as the stub computed them.
  std::optional<uint32_t> end_crc() const { return end_crc_; }
  std::optional<uint32_t> end_len() const { return end_len_; }
  void forget_end() { end_crc_.reset(), end_len_.reset(); }
  /// 'H': version, dst, len, frame.
  std::optional<std::vector<uint32_t>> hello() const { return hello_; }
  std::optional<bool> rate_switched() const { return rate_switched_; }
  uint64_t bad_packets() const { return bad_; }
  uint64_t intact_packets() const { return intact_; }
  uint64_t junk_bytes() const { return junk_; }
  /// Bytes outside intact packets since the last intact one (at most the last 4 KiB) plus the
  /// bytes of an unfinished packet: the console's text when the stub returned or the camera rebooted.
  std::string console_text() const;
  void forget_junk() { junk_text_.clear(); }

 private:
  bool try_packet();
  void skip_junk();
  void scan();

  std::vector<uint8_t> buf_;
  size_t pos_ = 0;
  std::string junk_text_;
  std::vector<FrameAnswer> answers_;
  std::optional<uint32_t> end_crc_, end_len_;
  std::optional<std::vector<uint32_t>> hello_;
  std::optional<bool> rate_switched_;
  uint64_t bad_ = 0, intact_ = 0, junk_ = 0;
};

}  // namespace camdump::uboot
