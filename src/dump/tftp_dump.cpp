// SPDX-License-Identifier: MIT
// The U-Boot + TFTP dump route. See tftp_dump.hpp; recovery, the whole-image CRC and OUT.part with
// its resume state come from the console-route skeleton (console_route.hpp).
#include "dump/tftp_dump.hpp"

#include <fmt/core.h>

#include <algorithm>

#include "core/crc32.hpp"
#include "core/file_util.hpp"
#include "core/size.hpp"
#include "dump/console_route.hpp"
#include "dump/tftp_inbox.hpp"
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
  for (size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i)
    s += (s.empty() ? "" : " | ") + lines[i];
  return s;
}

[[noreturn]] void no_tftpput() {
  fail(ErrorKind::Unsupported,
       "this U-Boot has no tftpput command (stock Ingenic vendor builds lack it), so the TFTP route cannot work",
       "use `camdump dump uart PORT -o OUT` (console, works on every U-Boot) or `camdump dump sd` (mmc write "
       "to an SD card)");
}

class TftpDumper : public ConsoleRoute {
 public:
  TftpDumper(uboot::UbootSession& s, const TftpDumpOptions& o, Reporter& rep, const CancelFlag* cancel)
      : ConsoleRoute(s, o.staging, "check the wiring, power supply and watchdog; then run again with --resume"),
        o_(o),
        rep_(rep),
        cancel_(cancel) {}
  TftpDumpResult run();

 private:
  void prepare_route() override;
  void set_network();
  ChunkPlan plan_for_flash();
  void upload_all();
  void settle(size_t i);
  bool upload(size_t i);
  void report();

  const TftpDumpOptions& o_;
  Reporter& rep_;
  const CancelFlag* cancel_;
  std::unique_ptr<TftpInbox> rx_;
  std::unique_ptr<ChunkedOutput> out_;
  TftpDumpResult res_;
};

// After every attach: a reset has also lost the network settings (never saved).
void TftpDumper::prepare_route() {
  if (!s_.has_command("tftpput")) no_tftpput();
  if (rx_) set_network();
}

// Network settings for this boot only (never saveenv).
void TftpDumper::set_network() {
  const uint16_t port = rx_->server().port();
  if (o_.camera_ip) s_.run("setenv ipaddr " + *o_.camera_ip);
  if (o_.netmask) s_.run("setenv netmask " + *o_.netmask);
  s_.run("setenv serverip " + o_.server_ip);
  if (port != tftp::kWellKnownPort) {
    s_.run(fmt::format("setenv tftpdstp {}", port));
    rep_.log(LogLevel::Info, fmt::format("tftp: our server listens on port {}; set tftpdstp (needs CONFIG_TFTP_PORT "
                                         "in the U-Boot, else it still sends to 69)",
                                         port));
  }
  if (!contains(s_.run("printenv ipaddr"), "ipaddr="))
    fail(ErrorKind::Usage, "the camera has no IP address (ipaddr not set)", "pass --camera-ip A.B.C.D");
}

ChunkPlan TftpDumper::plan_for_flash() {
  const uint64_t flash = detect_flash_size(stager_, s_, o_.flash_size);
  if (o_.offset >= flash) fail(ErrorKind::Usage, "--offset is past the end of the flash");
  const uint64_t length = o_.length.value_or(flash - o_.offset);
  checked_range(o_.offset, length, flash, "--offset/--length");
  uint64_t chunk = std::max<uint64_t>(o_.chunk, 4096);
  // The staged chunk must stay below U-Boot's reserved area (issue 13: `--chunk 32M` from
  // 0x80600000 ran into a 64 MiB T31's stack and heap): a chunk that does not fit is made smaller.
  if (!stager_.mapped())
    chunk = stager_.fit_chunk(
        std::min(chunk, length), 4096, stager_.buffer(), [](uint64_t c) { return c; }, "--chunk");
  return ChunkPlan::make(o_.offset, length, chunk, flash, 1);
}

// One upload of chunk i; true when it arrived with the device's crc32.
bool TftpDumper::upload(size_t i) {
  const Chunk c = out_->plan().chunks[i];
  const std::string name = fmt::format("camdump-{:08x}-{:x}.bin", c.offset, c.len);
  const uint64_t addr = stager_.stage(c.offset, c.len);
  const uint32_t dev = uboot::require_device_crc32(s_, addr, c.len, uboot::kTftpCrc);
  auto lines =
      s_.run(fmt::format("tftpput {:x} {:x} {}:{}", addr, c.len, o_.server_ip, name), std::chrono::seconds(60));
  if (contains(lines, "Unknown command")) no_tftpput();
  auto got =
      rx_->server().wait_upload(name, std::chrono::seconds(contains(lines, "Bytes transferred") ? 10 : 2), cancel_);
  check_cancel(cancel_);
  if (!got) {
    rep_.log(LogLevel::Warn,
             fmt::format("tftp: upload of 0x{:x}+0x{:x} did not arrive: {}", c.offset, c.len, last_lines(lines)));
    return false;
  }
  const auto data = read_file(got->path);
  std::error_code ec;
  std::filesystem::remove(got->path, ec);
  const uint32_t crc = crc32(data);
  if (data.size() != c.len || crc != dev) {
    rep_.log(LogLevel::Warn, fmt::format("tftp: chunk 0x{:x}+0x{:x}: got {} bytes, crc32 {} but the device says {}",
                                         c.offset, c.len, data.size(), crc_hex(crc), crc_hex(dev)));
    return false;
  }
  out_->settle(i, data, ChunkStatus::Verified, crc);
  return true;
}

// Upload until it arrives intact (bounded); a camera reset re-attaches and sets the network again.
void TftpDumper::settle(size_t i) {
  for (unsigned attempt = 0; attempt <= o_.retries; ++attempt) {
    check_cancel(cancel_);
    if (attempt) ++res_.retries;
    if (guarded([&] { return upload(i); })) return;
  }
  const Chunk& c = out_->plan().chunks[i];
  fail(ErrorKind::VerifyMismatch,
       fmt::format("chunk 0x{:x}+0x{:x} never arrived intact after {} attempts", c.offset, c.len, o_.retries + 1),
       "check --server-ip (the camera must reach this PC over UDP; firewall?) and --listen");
}

void TftpDumper::report() {
  Progress p;
  p.stage = "tftp dump";
  p.done = out_->plan().settled_bytes();
  p.total = out_->plan().length;
  p.finished = p.done == p.total;
  rep_.progress(p);
}

void TftpDumper::upload_all() {
  out_ = std::make_unique<ChunkedOutput>(o_.out, plan_for_flash(), o_.resume, 1, rep_);
  res_.chunk = out_->plan().chunk;
  rx_ = std::make_unique<TftpInbox>(o_.listen, rep_, cancel_, std::max<uint64_t>(res_.chunk, 1) + 4096);
  guarded([this] { set_network(); });
  if (out_->resuming())
    res_.resumed_bytes = out_->check_resumed([this](const Chunk& c) {
      return guarded([&] { return uboot::device_crc32(s_, stager_.stage(c.offset, c.len), c.len, uboot::kTftpCrc); });
    });
  for (size_t i = 0; i < out_->plan().chunks.size(); ++i) {
    if (out_->plan().chunks[i].status != ChunkStatus::Pending) continue;
    settle(i);
    ++res_.chunks;
    report();
  }
}

TftpDumpResult TftpDumper::run() {
  const auto t0 = Clock::now();
  try {
    guarded([this] { setup(); });
    upload_all();
    if (rx_->server().port() != tftp::kWellKnownPort) guarded([this] { s_.run("setenv tftpdstp"); });
    const auto v = out_->verify_and_commit(*this);
    res_.crc32 = v.crc32;
    res_.sha256 = v.sha256;
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::Cancelled && out_) out_->interrupted();
    if (out_) try {
        out_->save_state();
      } catch (const Error&) {}
    throw;
  }
  res_.out = o_.out;
  res_.offset = out_->plan().offset;
  res_.length = out_->plan().length;
  res_.flash_size = out_->plan().flash_size;
  res_.device = device();
  res_.resets = resets();
  res_.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return res_;
}

}  // namespace

TftpDumpResult dump_tftp(uboot::UbootSession& s, const TftpDumpOptions& o, Reporter& rep, const CancelFlag* cancel) {
  TftpDumper d(s, o, rep, cancel);
  return d.run();
}

}  // namespace camdump::dump
