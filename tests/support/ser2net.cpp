// SPDX-License-Identifier: MIT
// Test support: ser2net 4.x with a generated YAML config (ser2net.yaml(5)).
#include "support/ser2net.hpp"

#include <unistd.h>

#include <stdexcept>

namespace camdump::test {

bool Ser2net::available() { return ::access("/usr/sbin/ser2net", X_OK) == 0; }

Ser2net Ser2net::start(const std::string& device, unsigned baud) {
  Ser2net s;
  s.raw_port_ = free_tcp_port();
  do s.rfc2217_port_ = free_tcp_port();
  while (s.rfc2217_port_ == s.raw_port_);
  // "local": ignore modem control lines (a pty has none); kickolduser: a new client replaces an old
  // one, so a test that reconnects is not refused.
  std::string connector = "serialdev," + device + "," + std::to_string(baud) + "n81,local";
  std::string yaml =
      "connection: &raw\n"
      "  accepter: tcp,127.0.0.1," +
      std::to_string(s.raw_port_) +
      "\n"
      "  connector: " +
      connector +
      "\n"
      "  options:\n"
      "    kickolduser: true\n"
      "connection: &rfc2217\n"
      "  accepter: telnet(rfc2217),tcp,127.0.0.1," +
      std::to_string(s.rfc2217_port_) +
      "\n"
      "  connector: " +
      connector +
      "\n"
      "  options:\n"
      "    kickolduser: true\n";
  auto cfg = s.dir_->path() / "ser2net.yaml";
  write_file(cfg, yaml);
  auto log = s.dir_->path() / "ser2net.log";
  s.proc_ = Process::spawn(
      {"/usr/sbin/ser2net", "-n", "-d", "-u", "-c", cfg.string(), "-P", (s.dir_->path() / "ser2net.pid").string()},
      {.stderr_to_stdout = true, .stdout_file = log.string()});
  if (!wait_tcp_listening(s.raw_port_, 10000ms) || !wait_tcp_listening(s.rfc2217_port_, 5000ms)) {
    std::string l = s.log();
    s.stop();
    throw std::runtime_error("ser2net did not start: " + l);
  }
  return s;
}

std::string Ser2net::log() const { return read_file(dir_->path() / "ser2net.log"); }

}  // namespace camdump::test
