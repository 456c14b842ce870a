// SPDX-License-Identifier: MIT
// Test support: Debian's ser2net 4.x exposing one serial device (a pty of QEMU or of the test)
// on 127.0.0.1 twice: raw TCP (what `tcp:HOST:PORT` talks to) and telnet with RFC 2217 COM-port
// control (what `rfc2217:HOST:PORT` talks to). The YAML config lives in a temp dir; ser2net runs
// as `ser2net -n -d -u -c CONFIG -P PIDFILE` (foreground, debug log to a file, no UUCP locks)
// and is stopped by its PID.
//
//   PtyPair pty;  auto s = Ser2net::start(pty.slave_path());
//   open_port("tcp:127.0.0.1:" + std::to_string(s.raw_port()), ...)
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "support/process.hpp"

namespace camdump::test {

class Ser2net {
 public:
  /// Starts ser2net for `device` at `baud` 8N1 and waits until both ports listen. Throws
  /// std::runtime_error (with ser2net's log) when it does not come up.
  static Ser2net start(const std::string& device, unsigned baud = 115200);
  static bool available();

  uint16_t raw_port() const { return raw_port_; }
  uint16_t rfc2217_port() const { return rfc2217_port_; }
  std::string raw_spec() const { return "tcp:127.0.0.1:" + std::to_string(raw_port_); }
  std::string rfc2217_spec() const { return "rfc2217:127.0.0.1:" + std::to_string(rfc2217_port_); }
  pid_t pid() const { return proc_.pid(); }
  /// ser2net's debug output so far.
  std::string log() const;
  int stop() { return proc_.stop(); }

 private:
  std::unique_ptr<TempDir> dir_ = std::make_unique<TempDir>("camdump-ser2net");
  Process proc_;
  uint16_t raw_port_ = 0, rfc2217_port_ = 0;
};

}  // namespace camdump::test
