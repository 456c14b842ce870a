// SPDX-License-Identifier: MIT
#include "sim/sim_tftp_client.hpp"

#include <arpa/inet.h>
#include <fmt/core.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "sim/sim_machine.hpp"
#include "sim/sim_texts.hpp"
#include "tftp/packet.hpp"

namespace camdump::sim {

std::optional<TftpSetup> tftp_setup(Machine& m, std::string file) {
  auto env = [&](const char* k) {
    auto it = m.env_.find(k);
    return it == m.env_.end() ? std::string() : it->second;
  };
  TftpSetup t;
  if (auto c = file.find(':'); c != std::string::npos) {
    t.server = file.substr(0, c);
    file = file.substr(c + 1);
  }
  if (t.server.empty()) t.server = env("serverip");
  if (t.server.empty()) {
    m.out("*** ERROR: `serverip' not set\n");
    return std::nullopt;
  }
  if (!m.opt_.net) {
    m.out("*** ERROR: network unavailable\n");
    return std::nullopt;
  }
  t.ip = env("ipaddr");
  if (t.ip.empty()) {
    m.out("*** ERROR: `ipaddr' not set\n");
    return std::nullopt;
  }
  if (file.empty()) {
    in_addr ia{};
    ::inet_pton(AF_INET, t.ip.c_str(), &ia);
    const uint32_t v = ntohl(ia.s_addr);
    file = fmt::format("{:02X}{:02X}{:02X}{:02X}.img", v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255);
  }
  t.file = file;
  const std::string port = env("tftpdstp");
  t.port = port.empty() ? tftp::kWellKnownPort : static_cast<uint16_t>(std::strtoul(port.c_str(), nullptr, 10));
  const std::string tmo = env("tftptimeout");
  t.timeout_ms = tmo.empty() ? 5000 : std::max(1000, std::atoi(tmo.c_str()));
  t.reachable = t.server == "127.0.0.1";
  t.thingino = m.opt_.dialect == Dialect::Thingino;
  t.prefix = t.thingino ? "TFTP:  " : "";
  return t;
}

std::string tftp_banner(const TftpSetup& t, const char* verb) {
  return fmt::format("{}Using {} device\n{}TFTP {} server {}; our IP address is {}\n{}Filename '{}'.\n", t.prefix,
                     t.thingino ? "Jz4775-9161" : "eth0", t.prefix, verb, t.server, t.ip, t.prefix, t.file);
}

TftpLink::~TftpLink() {
  if (fd_ >= 0) ::close(fd_);
}

bool TftpLink::open(Machine& m) {
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in me{};
  me.sin_family = AF_INET;
  me.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&me), sizeof me) < 0) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    m.out("*** ERROR: network unavailable\n");
    return false;
  }
  server_.sin_family = AF_INET;
  server_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  forget_tid();
  return true;
}

bool TftpLink::reopen(Machine& m) {
  const int old = fd_;
  fd_ = -1;
  const bool ok = open(m);
  if (old >= 0) ::close(old);
  return ok;
}

void TftpLink::forget_tid() {
  server_.sin_port = htons(port_);
  tid_known_ = false;
}

bool TftpLink::send(std::vector<uint8_t> pkt) {
  last_ = std::move(pkt);
  timeouts_ = 0;
  return send_once(last_);
}

bool TftpLink::send_once(const std::vector<uint8_t>& pkt) const {
  if (!reachable_) return true;  // serverip is not 127.0.0.1: the packet goes nowhere
  return ::sendto(fd_, pkt.data(), pkt.size(), 0, reinterpret_cast<const sockaddr*>(&server_), sizeof server_) >= 0;
}

std::optional<tftp::Packet> TftpLink::next(Machine& m) {
  uint8_t buf[tftp::kMaxPacket];
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    const int r = reachable_ ? ::poll(&p, 1, timeout_ms_) : (::usleep(static_cast<useconds_t>(timeout_ms_) * 1000), 0);
    if (r <= 0) {
      m.out("T ");
      if (++timeouts_ >= kMaxTries) return std::nullopt;
      send_once(last_);
      continue;
    }
    sockaddr_in from{};
    socklen_t fl = sizeof from;
    const ssize_t got = ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl);
    if (got < 0) continue;
    if (tid_known_ && from.sin_port != server_.sin_port) continue;  // another TID: ignore
    auto res = tftp::parse({buf, static_cast<size_t>(got)});
    if (!res) continue;
    if (!tid_known_ && !std::holds_alternative<tftp::ErrorPacket>(*res.packet)) {
      server_.sin_port = from.sin_port;  // the server's TID
      tid_known_ = true;
    }
    return std::move(*res.packet);
  }
}

bool TftpJob::step(Machine& m, size_t) {
  if (!link_.is_open()) {
    start_time_ = std::chrono::steady_clock::now();
    if (!link_.open(m) || !begin(m)) return finish(m, false);
  }
  for (int i = 0; i < 128; ++i) {
    if (!advance(m)) return finish(m, false);
    if (done_) return finish(m, true);
  }
  return false;
}

std::vector<tftp::Option> TftpJob::request_options() {
  return {{"timeout", "5"}, {"blksize", std::to_string(tftp::kUbootBlksize)}};
}

void TftpJob::take_oack(const tftp::Oack& o) {
  if (auto size = tftp::decode_options(o.options).blksize) blksize_ = *size;
}

void TftpJob::show_block_marker(Machine& m, uint32_t block) {
  if ((block - 1) % 10 == 0) m.out("#");
  else if (block % 650 == 0) m.out("\n\t ");
}

void TftpJob::show_error(Machine& m, const tftp::ErrorPacket& e) {
  m.out(fmt::format("\nTFTP error: '{}' ({})\n", e.message, static_cast<unsigned>(e.code)));
}

bool TftpJob::finish(Machine& m, bool ok) {
  if (!ok) {
    m.job_.fail();
    return true;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_time_).count();
  const uint64_t n = bytes();
  const auto rate = static_cast<uint64_t>(static_cast<double>(n) / std::max(secs, 1e-3));
  if (thingino_)
    m.out(fmt::format("\nTFTP:  {}/s... done\nNet:   Bytes transferred = {} ({:x} hex)\n", print_size(rate), n, n));
  else m.out(fmt::format("\n\t {}/s\ndone\nBytes transferred = {} ({:x} hex)\n", print_size(rate), n, n));
  succeeded(m);
  return true;
}

}  // namespace camdump::sim
