// SPDX-License-Identifier: MIT
#include "sim/sim_tftp_client.hpp"

#include <arpa/inet.h>
#include <fmt/core.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "sim/sim_machine.hpp"
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

int open_tftp_socket(Machine& m, uint16_t port, sockaddr_in& server) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in me{};
  me.sin_family = AF_INET;
  me.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&me), sizeof me) < 0) {
    if (fd >= 0) ::close(fd);
    m.out("*** ERROR: network unavailable\n");
    return -1;
  }
  server = {};
  server.sin_family = AF_INET;
  server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  server.sin_port = htons(port);
  return fd;
}

}  // namespace camdump::sim
