// SPDX-License-Identifier: MIT
// loady and mmc read loaders of the U-Boot restore (see restore_loader.hpp).
#include "dump/restore_loader.hpp"

#include <fmt/core.h>

#include <array>

#include "core/size.hpp"
#include "uboot/console_text.hpp"
#include "uboot/mmc_output.hpp"

namespace camdump::dump {
namespace {

using namespace std::chrono_literals;

std::string joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += (s.empty() ? "" : " | ") + l;
  return s;
}

// Read raw console bytes until `done(text)` says so; false after `quiet` without a byte.
template <class Done>
bool read_until(io::Transport& t, std::string& text, Done done, std::chrono::milliseconds quiet,
                const CancelFlag* cancel) {
  std::array<uint8_t, 1024> b;
  for (auto waited = 0ms; !done(text);) {
    check_cancel(cancel);
    const size_t n = t.read(b, 100ms);
    if (n) {
      text.append(reinterpret_cast<const char*>(b.data()), n);
      waited = 0ms;
    } else if ((waited += 100ms) >= quiet) {
      return false;
    }
  }
  return true;
}

}  // namespace

void YmodemLoader::prepare(uboot::UbootSession& s) {
  if (!s.has_command("loady"))
    fail(ErrorKind::Unsupported, "this U-Boot has no loady command (YMODEM over the console)",
         "use `camdump restore tftp` (tftpboot) or `camdump restore sd` (mmc read)");
}

// `loady ADDR`: the echo, `## Ready for binary (ymodem) download to 0x... at N bps...`, then the
// receiver's 'C' (U-Boot cmd/load.c); after the transfer `## Total Size = 0x... = N Bytes` and the
// prompt. The session is not used while the bytes flow: the console belongs to YMODEM.
void YmodemLoader::load(uboot::UbootSession& s, uint64_t ram, uint64_t, std::span<const uint8_t> data) {
  auto& t = s.transport();
  const uint64_t w0 = t.rx_bytes() + t.tx_bytes();
  const auto cancel = s.cancel_flag();
  t.write(fmt::format("loady {:x}\r", ram));
  std::string text;
  const bool ready = read_until(
      t, text,
      [](const std::string& x) {
        auto p = x.find(" bps...");
        return p != std::string::npos && x.find('\n', p) != std::string::npos;
      },
      4s, cancel);
  if (!ready) {
    if (text.find("Unknown command") != std::string::npos)
      fail(ErrorKind::Unsupported, "this U-Boot has no loady", "use `camdump restore tftp` or `camdump restore sd`");
    if (uboot::find_boot_banner(text))
      throw uboot::ConsoleLost(uboot::ConsoleLost::Why::Reset, "the camera rebooted at loady");
    fail(ErrorKind::Protocol, "loady did not say it is ready: " + text.substr(0, 200));
  }
  uboot::ymodem::SendOptions o = o_;
  o.pending = text.substr(text.find('\n', text.find(" bps...")) + 1);
  const auto st = uboot::ymodem::send(t, fmt::format("camdump-{:x}.bin", ram), data, o, cancel);
  blocks += st.blocks;
  resent += st.resent;
  // The statistics, the size, the prompt.
  std::string tail = st.rest;
  const std::string prompt = s.prompt();
  const bool back = read_until(
      t, tail, [&](const std::string& x) { return !prompt.empty() && x.ends_with(prompt); }, 4s, cancel);
  if (!back && !s.resync()) throw uboot::ConsoleLost(uboot::ConsoleLost::Why::Silent, "no prompt after loady");
  wire_chars += t.rx_bytes() + t.tx_bytes() - w0;
  payload += data.size();
  const auto p = tail.find("## Total Size");
  if (p == std::string::npos) fail(ErrorKind::Protocol, "loady did not report the size it received");
  const auto eq = tail.find("= ", tail.find('=', p) + 1);
  if (eq != std::string::npos) {
    auto got = parse_number(tail.substr(eq + 2, tail.find(' ', eq + 2) - eq - 2));
    if (got && *got != data.size())
      fail(ErrorKind::Protocol, fmt::format("loady received {} bytes, {} were sent", *got, data.size()));
  }
}

void MmcLoader::prepare(uboot::UbootSession& s) {
  if (!s.has_command("mmc"))
    fail(ErrorKind::Unsupported, "this U-Boot has no mmc command", "use `camdump restore tftp` or `restore uart`");
  auto lines = s.run(fmt::format("mmc dev {}", dev_), 30s);
  for (const auto& l : lines)
    if (l.find("No MMC") != std::string::npos || l.find("no mmc") != std::string::npos ||
        l.find("not found") != std::string::npos || l.find("rror") != std::string::npos ||
        l.find("Card did not respond") != std::string::npos)
      fail(ErrorKind::Io, fmt::format("mmc dev {} failed: {}", dev_, joined(lines)),
           "insert the card prepared by `camdump sdcard IMAGE /dev/sdX`");
}

void MmcLoader::load(uboot::UbootSession& s, uint64_t ram, uint64_t flash_off, std::span<const uint8_t> data) {
  const uint64_t blk = first_ + flash_off / 512, cnt = (data.size() + 511) / 512;
  const uint64_t w0 = s.wire_bytes();
  auto lines = s.run(fmt::format("mmc read 0x{:x} 0x{:x} 0x{:x}", ram, blk, cnt), 60s);
  wire_chars += s.wire_bytes() - w0;
  payload += data.size();
  auto r = uboot::parse_mmc_result(lines);
  if (!r || !r->ok)
    fail(ErrorKind::Io, fmt::format("mmc read of block 0x{:x}+0x{:x} failed: {}", blk, cnt,
                                    r && !r->error.empty() ? r->error : joined(lines)));
}

}  // namespace camdump::dump
