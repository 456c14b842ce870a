// SPDX-License-Identifier: MIT
// The U-Boot + TFTP dump route. See tftp_dump.hpp.
#include "dump/tftp_dump.hpp"

#include "dump/tftp_inbox.hpp"

#include <fmt/core.h>
#include <stdlib.h>

#include <algorithm>
#include <thread>

#include "core/atomic_file.hpp"
#include "core/crc32.hpp"
#include "core/file_util.hpp"
#include "core/hash.hpp"
#include "core/size.hpp"
#include "tftp/server.hpp"
#include "uboot/device_crc.hpp"

namespace camdump::dump {
namespace {

using Clock = std::chrono::steady_clock;

bool contains(const std::vector<std::string>& lines, std::string_view needle) {
  for (const auto& l : lines)
    if (l.find(needle) != std::string::npos) return true;
  return false;
}

std::string last_lines(const std::vector<std::string>& lines, size_t n = 3) {
  std::string s;
  for (size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i) s += (s.empty() ? "" : " | ") + lines[i];
  return s;
}

}  // namespace

TftpDumpResult dump_tftp(uboot::UbootSession& s, const TftpDumpOptions& o, Reporter& rep, const CancelFlag* cancel) {
  auto t0 = Clock::now();
  s.attach();
  if (!s.has_command("tftpput"))
    fail(ErrorKind::Unsupported,
         "this U-Boot has no tftpput command (stock Ingenic vendor builds lack it), so the TFTP route cannot work",
         "use `camdump dump uart PORT -o OUT` (console, works on every U-Boot) or `camdump dump sd` (mmc write "
         "to an SD card)");
  TftpDumpResult res;
  res.device = s.device_info();
  s.disable_watchdog();

  Stager st(s, o.staging);
  st.prepare();
  res.flash_size = detect_flash_size(st, s, o.flash_size);
  res.offset = o.offset;
  if (o.offset >= res.flash_size) fail(ErrorKind::Usage, "--offset is past the end of the flash");
  res.length = o.length.value_or(res.flash_size - o.offset);
  checked_range(o.offset, res.length, res.flash_size, "--offset/--length");
  uint64_t chunk = std::max<uint64_t>(o.chunk, 4096);
  // The staged chunk must stay below U-Boot's reserved area (issue 13: `--chunk 32M` from
  // 0x80600000 ran into a 64 MiB T31's stack and heap): a chunk that does not fit is made smaller.
  if (!st.mapped())
    chunk = st.fit_chunk(std::min(chunk, res.length), 4096, st.buffer(), [](uint64_t c) { return c; }, "--chunk");

  res.chunk = chunk;
  TftpInbox rx(o.listen, rep, cancel, std::max<uint64_t>(chunk, 1) + 4096);
  uint16_t port = rx.server().port();
  // Network settings for this boot only (never saveenv).
  if (o.camera_ip) s.run("setenv ipaddr " + *o.camera_ip);
  if (o.netmask) s.run("setenv netmask " + *o.netmask);
  s.run("setenv serverip " + o.server_ip);
  if (port != tftp::kWellKnownPort) {
    s.run(fmt::format("setenv tftpdstp {}", port));
    rep.log(LogLevel::Info, fmt::format("tftp: our server listens on port {}; set tftpdstp (needs CONFIG_TFTP_PORT "
                                        "in the U-Boot, else it still sends to 69)",
                                        port));
  }
  auto ip = s.run("printenv ipaddr");
  if (!contains(ip, "ipaddr="))
    fail(ErrorKind::Usage, "the camera has no IP address (ipaddr not set)", "pass --camera-ip A.B.C.D");

  AtomicFile out(o.out);
  Digest sha(Digest::Algo::Sha256);
  uint32_t whole_crc = 0;
  for (uint64_t done = 0; done < res.length;) {
    check_cancel(cancel);
    uint64_t off = o.offset + done, len = std::min(chunk, res.length - done);
    std::string name = fmt::format("camdump-{:08x}-{:x}.bin", off, len);
    bool ok = false;
    for (unsigned attempt = 0; attempt <= o.retries && !ok; ++attempt) {
      if (attempt) ++res.retries;
      uint64_t addr = st.stage(off, len);
      const std::optional<uint32_t> dev_crc = uboot::require_device_crc32(s, addr, len, uboot::kTftpCrc);
      auto lines = s.run(fmt::format("tftpput {:x} {:x} {}:{}", addr, len, o.server_ip, name), std::chrono::seconds(60));
      if (contains(lines, "Unknown command"))
        fail(ErrorKind::Unsupported, "this U-Boot has no tftpput", "use `camdump dump uart` or `camdump dump sd`");
      auto report = rx.server().wait_upload(name, std::chrono::seconds(contains(lines, "Bytes transferred") ? 10 : 2),
                                            cancel);
      check_cancel(cancel);
      if (!report) {
        rep.log(LogLevel::Warn, fmt::format("tftp: upload of 0x{:x}+0x{:x} did not arrive: {}", off, len,
                                            last_lines(lines)));
        continue;
      }
      auto data = read_file(report->path);
      std::error_code ec;
      std::filesystem::remove(report->path, ec);
      uint32_t got = crc32(data);
      if (data.size() != len || got != *dev_crc) {
        rep.log(LogLevel::Warn, fmt::format("tftp: chunk 0x{:x}+0x{:x}: got {} bytes, crc32 {} but the device says {}",
                                            off, len, data.size(), crc_hex(got), crc_hex(*dev_crc)));
        continue;
      }
      out.write(data);
      sha.update(data);
      whole_crc = crc32(data, whole_crc);
      ok = true;
    }
    if (!ok)
      fail(ErrorKind::VerifyMismatch,
           fmt::format("chunk 0x{:x}+0x{:x} never arrived intact after {} attempts", off, len, o.retries + 1),
           "check --server-ip (the camera must reach this PC over UDP; firewall?) and --listen");
    done += len;
    ++res.chunks;
    Progress p;
    p.stage = "tftp dump";
    p.done = done;
    p.total = res.length;
    p.finished = done == res.length;
    rep.progress(p);
  }
  if (port != tftp::kWellKnownPort) s.run("setenv tftpdstp");
  out.commit();
  res.out = o.out;
  res.crc32 = whole_crc;
  res.sha256 = sha.hex_final();
  res.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return res;
}

}  // namespace camdump::dump
