// SPDX-License-Identifier: MIT
// The tftpboot loader of the U-Boot restore (see restore_loader.hpp): camdump's TFTP server in a
// background thread, read-only, rooted in a fresh 0700 temporary directory that holds only the
// unit being loaded; U-Boot fetches it with `tftpboot ADDR SERVERIP:NAME` (net/tftp.c; the
// `Bytes transferred = N (hex hex)` line of net/net.c, docs/reference/uboot-console.md#tftpboot).
#include <fmt/core.h>
#include <stdlib.h>

#include "core/atomic_file.hpp"
#include "core/file_util.hpp"
#include "core/size.hpp"
#include "dump/restore_loader.hpp"

namespace camdump::dump {
namespace {

using namespace std::chrono_literals;

bool contains(const std::vector<std::string>& lines, std::string_view needle) {
  for (const auto& l : lines)
    if (l.find(needle) != std::string::npos) return true;
  return false;
}

}  // namespace

TftpbootLoader::TftpbootLoader(TftpLoaderOptions o, const CancelFlag* cancel) : o_(std::move(o)), cancel_(cancel) {
  auto ep = tftp::parse_endpoint(o_.listen, tftp::kWellKnownPort);
  if (!ep) fail(ErrorKind::Usage, fmt::format("--listen: '{}' is not ADDR[:PORT]", o_.listen));
  port_ = ep->port();
}

// Started at the first load, not before: a backup by `dump tftp` uses the same address and port.
void TftpbootLoader::start() {
  if (server_) return;
  std::string tmpl = (std::filesystem::temp_directory_path() / "camdump-restore-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) fail(ErrorKind::Io, "cannot create a temporary directory for the TFTP server");
  dir_ = tmpl;
  tftp::ServerConfig cfg;
  cfg.root = dir_;
  cfg.listen = *tftp::parse_endpoint(o_.listen, tftp::kWellKnownPort);
  cfg.allow_read = true;
  cfg.allow_write = false;  // nothing is ever uploaded to a restore
  try {
    server_ = std::make_unique<tftp::Server>(cfg, quiet_);
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    throw;
  }
  thread_ = std::thread([this] {
    try {
      server_->run(cancel_);
    } catch (const std::exception&) {
      // ended(): loads fail and name the server
    }
  });
}

TftpbootLoader::~TftpbootLoader() {
  if (!server_) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

// Network settings for this boot only (never saveenv); tftpdstp when our server is not on 69.
void TftpbootLoader::prepare(uboot::UbootSession& s) {
  // No has_command("tftpboot"): its help line has no space after the name at help width 8
  // (`tftpboot- boot image ...`); a U-Boot without it says `Unknown command` at the first load.
  if (o_.camera_ip) s.run("setenv ipaddr " + *o_.camera_ip);
  if (o_.netmask) s.run("setenv netmask " + *o_.netmask);
  s.run("setenv serverip " + o_.server_ip);
  if (port_ != tftp::kWellKnownPort) s.run(fmt::format("setenv tftpdstp {}", port_));
  if (!contains(s.run("printenv ipaddr"), "ipaddr="))
    fail(ErrorKind::Usage, "the camera has no IP address (ipaddr not set)", "pass --camera-ip A.B.C.D");
}

void TftpbootLoader::load(uboot::UbootSession& s, uint64_t ram, uint64_t flash_off, std::span<const uint8_t> data) {
  start();
  if (server_->ended()) fail(ErrorKind::Io, "the built-in TFTP server has stopped");
  const std::string name = fmt::format("camdump-{:08x}-{}.bin", flash_off, ++serial_);
  write_file_atomic(dir_ / name, data);
  const uint64_t w0 = s.wire_bytes();
  std::vector<std::string> lines;
  try {
    lines = s.run(fmt::format("tftpboot {:x} {}:{}", ram, o_.server_ip, name), 120s);
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(dir_ / name, ec);
    throw;
  }
  std::error_code ec;
  std::filesystem::remove(dir_ / name, ec);
  wire_chars += s.wire_bytes() - w0;
  payload += data.size();
  for (const auto& l : lines) {
    auto p = l.find("Bytes transferred = ");
    if (p == std::string::npos) continue;
    auto n = parse_number(l.substr(p + 20, l.find(' ', p + 20) - p - 20));
    if (n && *n == data.size()) return;
    fail(ErrorKind::Protocol, fmt::format("tftpboot: {} (expected {} bytes)", l.substr(p), data.size()));
  }
  if (contains(lines, "Unknown command"))
    fail(ErrorKind::Unsupported, "this U-Boot has no tftpboot", "use `camdump restore uart` or `camdump restore sd`");
  std::string last = lines.empty() ? "(nothing)" : lines.back();
  fail(ErrorKind::Protocol, "tftpboot did not transfer the unit: " + last,
       "check --server-ip (the camera must reach this PC over UDP; firewall?) and --listen");
}

}  // namespace camdump::dump
