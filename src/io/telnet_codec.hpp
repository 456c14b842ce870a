// SPDX-License-Identifier: MIT
// The telnet byte layer (RFC 854/855): splitting a received stream into data bytes and commands
// (IAC verbs, option negotiation, subnegotiations), and escaping outgoing data (IAC doubling,
// CR as CR NUL outside binary mode). No policy here: telnet_transport decides what to answer.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace camdump::io {

namespace telnet {
constexpr uint8_t kIac = 255, kDont = 254, kDo = 253, kWont = 252, kWill = 251, kSb = 250;
constexpr uint8_t kGa = 249, kNop = 241, kSe = 240;
// Options: RFC 856 binary, RFC 857 echo, RFC 858 suppress-go-ahead, RFC 2217 com-port.
constexpr uint8_t kOptBinary = 0, kOptEcho = 1, kOptSga = 3, kOptComPort = 44;
}  // namespace telnet

/// One command found in the stream: WILL/WONT/DO/DONT + option, SB + option + payload (IAC IAC
/// inside already undoubled), or a bare verb (NOP, GA, ...; option 0).
struct TelnetEvent {
  uint8_t verb = 0;
  uint8_t option = 0;
  std::vector<uint8_t> payload;
};

class TelnetDecoder {
 public:
  /// `strip_cr_nul`: turn CR NUL into CR (NVT mode, i.e. when the server does not send binary).
  explicit TelnetDecoder(bool strip_cr_nul = false) : strip_cr_nul_(strip_cr_nul) {}
  void set_strip_cr_nul(bool on) { strip_cr_nul_ = on; }

  /// Decodes `wire`: data bytes are appended to `data`, commands to `events`. Any split of the
  /// stream across calls gives the same result. Subnegotiation payloads are capped at 4 KiB.
  void feed(std::span<const uint8_t> wire, std::vector<uint8_t>& data, std::vector<TelnetEvent>& events);

 private:
  void after_iac(uint8_t b, std::vector<uint8_t>& data, std::vector<TelnetEvent>& events);
  void after_sub_iac(uint8_t b, std::vector<uint8_t>& data, std::vector<TelnetEvent>& events);
  void sub_byte(uint8_t b);
  enum class State { Data, Iac, Option, Sub, SubIac, AfterCr };
  State state_ = State::Data;
  bool strip_cr_nul_;
  uint8_t verb_ = 0;
  TelnetEvent sub_;
  bool sub_has_option_ = false;
};

/// Appends `data` escaped for the wire: 0xFF doubled; with `nvt_cr`, a CR not followed by LF in
/// this buffer is sent as CR NUL (RFC 854).
void telnet_escape(std::span<const uint8_t> data, bool nvt_cr, std::vector<uint8_t>& out);
/// IAC verb option.
std::vector<uint8_t> telnet_command(uint8_t verb, uint8_t option);
/// IAC SB option payload... IAC SE, with IAC bytes in the payload doubled.
std::vector<uint8_t> telnet_subneg(uint8_t option, std::span<const uint8_t> payload);

}  // namespace camdump::io
