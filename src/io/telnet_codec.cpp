// SPDX-License-Identifier: MIT
// Telnet stream decoding and escaping (RFC 854 command structure, RFC 855 subnegotiation).
#include "io/telnet_codec.hpp"

namespace camdump::io {

using namespace telnet;

namespace {
constexpr size_t kMaxSubPayload = 4096;
}

void TelnetDecoder::feed(std::span<const uint8_t> wire, std::vector<uint8_t>& data, std::vector<TelnetEvent>& events) {
  for (uint8_t b : wire) {
    switch (state_) {
      case State::AfterCr:
        state_ = State::Data;
        if (b == 0) continue;  // CR NUL -> CR
        [[fallthrough]];
      case State::Data:
        if (b == kIac) {
          state_ = State::Iac;
        } else {
          data.push_back(b);
          if (b == '\r' && strip_cr_nul_) state_ = State::AfterCr;
        }
        break;
      case State::Iac: after_iac(b, data, events); break;
      case State::Option:
        events.push_back(TelnetEvent{verb_, b, {}});
        state_ = State::Data;
        break;
      case State::Sub:
        if (b == kIac) state_ = State::SubIac;
        else sub_byte(b);
        break;
      case State::SubIac: after_sub_iac(b, data, events); break;
    }
  }
}

// The byte after IAC outside a subnegotiation (RFC 854 "TELNET COMMAND STRUCTURE").
void TelnetDecoder::after_iac(uint8_t b, std::vector<uint8_t>& data, std::vector<TelnetEvent>& events) {
  if (b == kIac) {  // escaped 0xFF data byte
    data.push_back(kIac);
    state_ = State::Data;
  } else if (b == kWill || b == kWont || b == kDo || b == kDont) {
    verb_ = b;
    state_ = State::Option;
  } else if (b == kSb) {
    sub_ = TelnetEvent{kSb, 0, {}};
    sub_has_option_ = false;
    state_ = State::Sub;
  } else {  // NOP, GA, AYT, a stray SE ...: reported, no data
    events.push_back(TelnetEvent{b, 0, {}});
    state_ = State::Data;
  }
}

// The byte after IAC inside SB ... (RFC 855): SE ends it, a second IAC is a payload 0xFF.
void TelnetDecoder::after_sub_iac(uint8_t b, std::vector<uint8_t>& data, std::vector<TelnetEvent>& events) {
  if (b == kSe) {
    events.push_back(std::move(sub_));
    sub_ = TelnetEvent{};
    state_ = State::Data;
  } else if (b == kIac) {
    sub_byte(kIac);
    state_ = State::Sub;
  } else {
    // IAC <other> inside SB: a broken peer. End the subnegotiation and treat it as a command.
    events.push_back(std::move(sub_));
    sub_ = TelnetEvent{};
    after_iac(b, data, events);
  }
}

// A subnegotiation byte: the first names the option, the rest are its payload (capped).
void TelnetDecoder::sub_byte(uint8_t b) {
  if (!sub_has_option_) {
    sub_.option = b;
    sub_has_option_ = true;
  } else if (sub_.payload.size() < kMaxSubPayload) {
    sub_.payload.push_back(b);
  }
}

void telnet_escape(std::span<const uint8_t> data, bool nvt_cr, std::vector<uint8_t>& out) {
  out.reserve(out.size() + data.size() + data.size() / 64 + 2);
  for (size_t i = 0; i < data.size(); ++i) {
    uint8_t b = data[i];
    out.push_back(b);
    if (b == kIac) {
      out.push_back(kIac);
    } else if (b == '\r' && nvt_cr && (i + 1 == data.size() || data[i + 1] != '\n')) {
      out.push_back(0);
    }
  }
}

std::vector<uint8_t> telnet_command(uint8_t verb, uint8_t option) { return {kIac, verb, option}; }

std::vector<uint8_t> telnet_subneg(uint8_t option, std::span<const uint8_t> payload) {
  std::vector<uint8_t> out{kIac, kSb, option};
  if (option == kIac) out.push_back(kIac);
  telnet_escape(payload, false, out);
  out.push_back(kIac);
  out.push_back(kSe);
  return out;
}

}  // namespace camdump::io
