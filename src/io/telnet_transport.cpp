// SPDX-License-Identifier: MIT
// Telnet option negotiation (RFC 854/1143-style state per option, no reply loops) and the RFC 2217
// COM-PORT-OPTION client commands.
#include "io/telnet_transport.hpp"

#include <unistd.h>

#include <algorithm>

#include "core/error.hpp"
#include "io/fd_io.hpp"
#include "io/tcp_transport.hpp"

namespace camdump::io {

using namespace telnet;

namespace {
// RFC 2217 client-to-server commands; the server answers with command + 100.
constexpr uint8_t kSetBaudrate = 1, kSetDatasize = 2, kSetParity = 3, kSetStopsize = 4, kSetControl = 5,
                  kServerOffset = 100;
constexpr uint8_t kParityNone = 1, kStopOne = 1, kControlNoFlow = 1;
constexpr auto kNegotiateTimeout = std::chrono::milliseconds(3000);
}  // namespace

TelnetTransport::TelnetTransport(Mode mode, const std::string& host, uint16_t port, uint32_t baud)
    : mode_(mode),
      spec_((mode == Mode::ComPort ? "rfc2217:" : "telnet:") + host + ":" + std::to_string(port)),
      decoder_(mode == Mode::Shell) {
  fd_ = tcp_connect(host, port, spec_);
  if (mode_ == Mode::Shell) return;  // the server leads; we only answer
  try {
    for (uint8_t opt : {kOptBinary, kOptSga, kOptComPort}) {
      local_[opt] = Opt::Asked;
      send_raw(telnet_command(kWill, opt));
    }
    for (uint8_t opt : {kOptBinary, kOptSga}) {
      remote_[opt] = Opt::Asked;
      send_raw(telnet_command(kDo, opt));
    }
    if (!pump_until([&] { return local_[kOptComPort] != Opt::Asked; }, kNegotiateTimeout) ||
        local_[kOptComPort] != Opt::On)
      fail(ErrorKind::Unsupported, spec_ + ": the server does not offer RFC 2217 COM-port control",
           "use tcp:HOST:PORT for a raw port, or give ser2net an accepter 'telnet(rfc2217),tcp,PORT'");
    uint8_t one[1];
    one[0] = 8;
    send_com_port(kSetDatasize, one);
    one[0] = kParityNone;
    send_com_port(kSetParity, one);
    one[0] = kStopOne;
    send_com_port(kSetStopsize, one);
    one[0] = kControlNoFlow;
    send_com_port(kSetControl, one);
    if (baud != 0 && !set_baud(baud))
      fail(ErrorKind::Protocol, spec_ + ": the server did not confirm " + std::to_string(baud) + " baud",
           "check the rate; the serial adapter behind the server may not support it");
  } catch (const Error& e) {
    ::close(fd_);
    if (e.kind() != ErrorKind::Io) throw;
    // ser2net drops a client at once when it cannot open the device (another client has it, or
    // the previous one is still closing).
    fail(ErrorKind::Io, std::string(e.what()) + " during RFC 2217 negotiation",
         "the server could not open its serial device (in use, or still closing): retry in a moment");
  }
}

TelnetTransport::~TelnetTransport() {
  if (fd_ >= 0) ::close(fd_);
}

std::string TelnetTransport::describe() const { return baud_ ? spec_ + " at " + std::to_string(*baud_) : spec_; }

bool TelnetTransport::set_baud(uint32_t baud) {
  if (mode_ != Mode::ComPort) return false;
  uint8_t v[4] = {static_cast<uint8_t>(baud >> 24), static_cast<uint8_t>(baud >> 16), static_cast<uint8_t>(baud >> 8),
                  static_cast<uint8_t>(baud)};
  baud_reply_.reset();
  send_com_port(kSetBaudrate, v);
  if (!pump_until([&] { return baud_reply_.has_value(); }, kNegotiateTimeout)) return false;
  if (*baud_reply_ != baud) return false;
  baud_ = baud;
  return true;
}

size_t TelnetTransport::do_read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  // A read of only negotiation bytes yields no data: keep waiting until the deadline.
  while (rx_.empty()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (!pump(left < std::chrono::milliseconds(0) ? std::chrono::milliseconds(0) : left)) break;
  }
  size_t n = std::min(buf.size(), rx_.size());
  std::copy_n(rx_.begin(), n, buf.begin());
  rx_.erase(rx_.begin(), rx_.begin() + static_cast<std::ptrdiff_t>(n));
  return n;
}

void TelnetTransport::do_write(std::span<const uint8_t> data) {
  std::vector<uint8_t> wire;
  telnet_escape(data, mode_ == Mode::Shell, wire);
  fd_write_all(fd_, wire, spec_, true);
}

bool TelnetTransport::pump(std::chrono::milliseconds timeout) {
  uint8_t buf[8192];
  size_t n = fd_read(fd_, buf, timeout, spec_);
  if (n == 0) return false;
  std::vector<uint8_t> data;
  std::vector<TelnetEvent> events;
  decoder_.feed(std::span<const uint8_t>(buf, n), data, events);
  rx_.insert(rx_.end(), data.begin(), data.end());
  for (const auto& ev : events) handle(ev);
  return true;
}

template <class Pred>
bool TelnetTransport::pump_until(Pred done, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pump(left);
  }
  return true;
}

bool TelnetTransport::accept_local(uint8_t option) const {
  if (mode_ == Mode::Shell) return false;  // a shell client performs nothing
  return option == kOptBinary || option == kOptSga || option == kOptComPort;
}

bool TelnetTransport::accept_remote(uint8_t option) const {
  if (mode_ == Mode::Shell) return option == kOptSga || option == kOptEcho;
  return option == kOptBinary || option == kOptSga || option == kOptComPort;
}

void TelnetTransport::handle(const TelnetEvent& ev) {
  uint8_t o = ev.option;
  switch (ev.verb) {
    case kDo:  // the server asks us to perform `o`
      if (local_[o] == Opt::On) break;
      if (local_[o] == Opt::Asked) {
        local_[o] = Opt::On;  // the answer to our WILL
      } else if (accept_local(o)) {
        local_[o] = Opt::On;
        send_raw(telnet_command(kWill, o));
      } else {
        send_raw(telnet_command(kWont, o));
      }
      break;
    case kDont:
      if (local_[o] == Opt::On) send_raw(telnet_command(kWont, o));
      local_[o] = Opt::Off;
      break;
    case kWill:  // the server offers to perform `o`
      if (remote_[o] == Opt::On) break;
      if (remote_[o] == Opt::Asked) {
        remote_[o] = Opt::On;
      } else if (accept_remote(o)) {
        remote_[o] = Opt::On;
        send_raw(telnet_command(kDo, o));
      } else {
        send_raw(telnet_command(kDont, o));
      }
      if (o == kOptBinary && remote_[o] == Opt::On) decoder_.set_strip_cr_nul(false);
      break;
    case kWont:
      if (remote_[o] == Opt::On) send_raw(telnet_command(kDont, o));
      remote_[o] = Opt::Off;
      if (o == kOptBinary) decoder_.set_strip_cr_nul(true);
      break;
    case kSb:
      if (o == kOptComPort && ev.payload.size() == 5 && ev.payload[0] == kSetBaudrate + kServerOffset)
        baud_reply_ = (uint32_t{ev.payload[1]} << 24) | (uint32_t{ev.payload[2]} << 16) |
                      (uint32_t{ev.payload[3]} << 8) | ev.payload[4];
      break;         // line/modem state notifications and others: nothing to do
    default: break;  // NOP, GA, ...
  }
}

void TelnetTransport::send_raw(const std::vector<uint8_t>& bytes) { fd_write_all(fd_, bytes, spec_, true); }

void TelnetTransport::send_com_port(uint8_t command, std::span<const uint8_t> value) {
  std::vector<uint8_t> payload{command};
  payload.insert(payload.end(), value.begin(), value.end());
  send_raw(telnet_subneg(kOptComPort, payload));
}

}  // namespace camdump::io
