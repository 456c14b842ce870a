// SPDX-License-Identifier: MIT
// Host side of the stub wire format (src/stub/stub_abi.h): the parameter block as 32-bit words,
// the host's commands, and a decoder that finds intact packets in a damaged byte stream (bytes
// dropped, flipped or inserted): every packet carries a CRC-32 and is found again by scanning for
// its sync bytes, so one bad byte costs one frame, never the stream.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "stub/stub_abi.h"

namespace camdump::uboot {

/// The parameter block as the words `mw.l` writes (little-endian CPU order, word i at +4*i).
std::array<uint32_t, CDSTUB_PARAMS_WORDS> params_words(const cdstub_params& p);
/// A block with the defaults for everything but the UART (fill that with fill_uart_params).
cdstub_params default_params();

/// Host -> stub command ('R' seq: resend; 'Q': quit).
std::array<uint8_t, CDSTUB_CMD_LEN> encode_command(uint8_t op, uint32_t arg);

/// Payload bytes of a stub -> host packet whose size its type fixes ('H' 'B' 'E' 'K' 'N' 'S' 'Y'
/// 'Q', stub_abi.h); 0 for 'D' (its size depends on its frame) and for a byte that is no type.
size_t fixed_payload(uint8_t type);
/// Number of frames for `len` bytes.
inline uint32_t frame_count(uint32_t len, uint32_t frame) { return (len + frame - 1) / frame; }

/// Stub -> host packet encoder (the stub's side, for tests and the simulator).
std::vector<uint8_t> encode_packet(uint8_t type, std::span<const uint8_t> payload);
std::vector<uint8_t> encode_hello(uint32_t src, uint32_t len, uint32_t frame);
std::vector<uint8_t> encode_frame(uint32_t seq, std::span<const uint8_t> data, bool blank_skip);
std::vector<uint8_t> encode_end(uint32_t crc, uint32_t len);
/// 'S' (sync answer: token, old divisor, new divisor) and 'Y' (switched 0/1, old, new divisor).
std::vector<uint8_t> encode_words(uint8_t type, uint32_t a, uint32_t b, uint32_t c);

/// Reassembles [src, src+len) from a stub's packets.
class StubStreamDecoder {
 public:
  StubStreamDecoder(uint32_t src, uint32_t len, uint32_t frame);
  uint32_t src() const { return src_; }
  uint32_t len() const { return len_; }
  uint32_t frame() const { return frame_; }

  /// Feed received bytes; intact packets are applied at once.
  void feed(std::span<const uint8_t> bytes);
  /// The line went quiet: a packet still incomplete now will never complete (bytes were lost);
  /// drop it and scan the held bytes for later packets.
  void idle();

  bool hello_seen() const { return hello_; }
  /// The hello disagreed with what we asked for (another stub version, wrong params).
  bool hello_mismatch() const { return hello_mismatch_; }
  std::optional<uint32_t> end_crc() const { return end_crc_; }
  /// Rate switch: the token of the last 'S' answer; the 'Y' verdict (true = new rate); the
  /// divisor U-Boot had set, as the stub read it back.
  std::optional<uint32_t> sync_token() const { return sync_token_; }
  std::optional<bool> rate_switched() const { return rate_switched_; }
  std::optional<uint32_t> old_divisor() const { return old_div_; }
  /// The stub answered 'Q' at the switched rate: it is back at U-Boot's divisor, waiting for the
  /// host's second 'Q' at U-Boot's rate (stub_abi.h).
  bool quit_answered() const { return quit_answered_; }
  uint32_t frames() const { return static_cast<uint32_t>(have_.size()); }
  bool have(uint32_t seq) const { return have_[seq] != 0; }
  std::vector<uint32_t> missing() const;
  bool complete() const { return missing().empty() && end_crc_.has_value(); }
  const std::vector<uint8_t>& data() const { return data_; }
  uint64_t blank_frames() const { return blank_frames_; }
  uint64_t bad_packets() const { return bad_; }  ///< sync found, CRC or shape wrong
  uint64_t intact_packets() const { return intact_; }
  uint64_t junk_bytes() const { return junk_; }  ///< bytes skipped outside any packet
  /// Bytes skipped outside intact packets since the last intact one (at most the last 4 KiB): the
  /// console's own text when the camera rebooted under the stub (banner, autoboot countdown).
  const std::string& junk_text() const { return junk_text_; }
  void forget_junk() { junk_text_.clear(); }
  /// The junk text plus the bytes held for an unfinished packet (a reboot mid-frame lands there).
  std::string console_text() const {
    return junk_text_ + std::string(buf_.begin() + static_cast<std::ptrdiff_t>(pos_), buf_.end());
  }
  /// Bytes still held while waiting for the rest of a packet.
  size_t pending() const { return buf_.size() - pos_; }

 private:
  void scan();
  bool try_packet();
  void compact();
  void skip_junk();

  uint32_t src_, len_, frame_;
  std::vector<uint8_t> data_, have_;
  std::vector<uint8_t> buf_;
  size_t pos_ = 0;
  std::string junk_text_;
  bool hello_ = false, hello_mismatch_ = false, quit_answered_ = false;
  std::optional<uint32_t> end_crc_, sync_token_, old_div_;
  std::optional<bool> rate_switched_;
  uint64_t blank_frames_ = 0, bad_ = 0, junk_ = 0, intact_ = 0;
};

}  // namespace camdump::uboot
