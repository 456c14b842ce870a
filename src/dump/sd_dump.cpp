// SPDX-License-Identifier: MIT
// The SD-card route's U-Boot side (see sd_dump.hpp). Command forms: U-Boot cmd/mmc.c,
// cmd/virtio.c and cmd/usb.c (blk_common_cmd: `<dev> read|write addr blk# cnt`, hex arguments);
// their "N blocks written: OK" results are read by uboot/mmc_output (docs/reference/uboot-console.md#mmc,
// docs/reference/qemu-test-cameras.md#block-device).
#include "dump/sd_dump.hpp"

#include <fmt/format.h>

#include <chrono>

#include "core/crc32.hpp"
#include "core/size.hpp"
#include "dump/console_route.hpp"
#include "uboot/device_crc.hpp"
#include "uboot/mmc_output.hpp"

namespace camdump::dump {
namespace {

using namespace std::chrono_literals;

constexpr auto kBlockTimeout = 60000ms;  // a write/read/erase may print nothing for this long
constexpr uint64_t kBlock = 512;

std::string joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += (s.empty() ? "" : " / ") + l;
  return s;
}

uint64_t mib_up(uint64_t n) { return (n + 0xfffff) & ~uint64_t{0xfffff}; }

bool contains_any(const std::string& line, std::initializer_list<std::string_view> needles) {
  for (auto n : needles)
    if (line.find(n) != std::string::npos) return true;
  return false;
}

class SdDumper : public ConsoleRoute {
 public:
  SdDumper(uboot::UbootSession& s, const SdDumpOptions& o)
      : ConsoleRoute(s, o.staging, "check the wiring, power supply and watchdog; then run again"), o_(o) {}
  SdDumpResult run();

 private:
  void prepare_route() override { prepare_device(); }  // a reset loses the device selection
  void prepare_device();
  void erase(uint64_t blocks);
  std::optional<uint32_t> write_once(uint64_t off, uint64_t len, std::string& why);
  uint64_t plan_chunk(uint64_t flash);
  uint32_t write_chunk(uint64_t off, uint64_t len);
  uboot::MmcResult block_io(std::string_view verb, uint64_t addr, uint64_t blk, uint64_t cnt);
  uint32_t device_crc(uint64_t addr, uint64_t len);
  void report(uint64_t done, bool finished = false);

  const SdDumpOptions& o_;
  SdDumpResult r_;
  std::string dev_;
  uint64_t wire0_ = 0;
};

// `mmc dev N` / `virtio scan; virtio dev N` / `usb start; usb dev N`; errors are read from the output
// (no `$?` on old U-Boots).
void SdDumper::prepare_device() {
  if (!s_.has_command(dev_))
    fail(ErrorKind::Unsupported, fmt::format("this U-Boot has no '{}' command", dev_),
         o_.device == SdDevice::Virtio ? "virtio exists on QEMU boards; use --device mmc on a camera"
                                       : "try another --device (mmc, usb), or the uart/tftp routes");
  auto check = [&](const std::string& cmd, const std::vector<std::string>& lines) {
    for (const auto& l : lines)
      if (contains_any(l, {"not found", "Card did not respond", "No MMC", "no mmc", "No such device", "Unknown command",
                           "Usage:", "0 Storage Device(s) found", "rror", "failed", "no device"}))
        fail(ErrorKind::Io, fmt::format("'{}' failed: {}", cmd, joined(lines)),
             o_.device == SdDevice::Mmc ? "insert a FAT/any SD card (it will be overwritten from block "
                                          "0x10 on) and check the slot; try --device-number"
                                        : "check that the disk/stick is attached; try --device-number");
  };
  std::vector<std::string> cmds;
  if (o_.device == SdDevice::Virtio) cmds.push_back("virtio scan");
  if (o_.device == SdDevice::Usb) cmds.push_back("usb start");
  cmds.push_back(fmt::format("{} dev {}", dev_, o_.device_number));
  for (const auto& cmd : cmds) check(cmd, s_.run(cmd, kBlockTimeout));
}

uboot::MmcResult SdDumper::block_io(std::string_view verb, uint64_t addr, uint64_t blk, uint64_t cnt) {
  std::string cmd = verb == "erase" ? fmt::format("{} erase 0x{:x} 0x{:x}", dev_, blk, cnt)
                                    : fmt::format("{} {} 0x{:x} 0x{:x} 0x{:x}", dev_, verb, addr, blk, cnt);
  auto lines = s_.run(cmd, kBlockTimeout);
  auto res = uboot::parse_mmc_result(lines);
  if (!res) {
    for (const auto& l : lines)
      if (contains_any(l, {"Unknown command", "Usage:"}))
        fail(ErrorKind::Unsupported, fmt::format("'{}' was refused: {}", cmd, l));
    return uboot::MmcResult{false, std::nullopt, fmt::format("no result line from '{}': {}", cmd, joined(lines))};
  }
  if (res->ok && res->blocks && *res->blocks != cnt) {
    res->ok = false;
    res->error = fmt::format("'{}' did {} blocks, not {}", cmd, *res->blocks, cnt);
  }
  if (!res->ok && res->error.find("write protected") != std::string::npos)
    fail(ErrorKind::Io, "the card is write protected: " + res->error, "slide the card's lock switch to unlocked");
  if (!res->ok && res->error.empty()) res->error = joined(lines);
  return *res;
}

uint32_t SdDumper::device_crc(uint64_t addr, uint64_t len) {
  return uboot::require_device_crc32(s_, addr, len, uboot::kChunkCrc);
}

void SdDumper::erase(uint64_t blocks) {
  const auto res = guarded([&] { return block_io("erase", 0, o_.start_block, blocks); });
  if (!res.ok)
    fail(ErrorKind::Io, fmt::format("erasing blocks 0x{:x} + 0x{:x} failed: {}", o_.start_block, blocks, res.error),
         "the card may be smaller than the flash, locked or failing; try another card, or --no-erase");
}

// Stage, device crc32, write, read back into the second buffer, compare crc32. The chunk's CRC
// when it verified; otherwise nullopt and `why`.
std::optional<uint32_t> SdDumper::write_once(uint64_t off, uint64_t len, std::string& why) {
  const uint64_t cnt = len / kBlock, blk = o_.start_block + off / kBlock;
  const uint64_t ram = stager_.stage(off, len);
  if (ram < r_.readback + len && r_.readback < ram + len)
    fail(ErrorKind::Usage,
         fmt::format("the read-back buffer 0x{:x} overlaps the staged data at 0x{:x}", r_.readback, ram),
         "give --readback (or --buffer) so the two RAM areas are apart");
  const uint32_t want = device_crc(ram, len);
  auto w = block_io("write", ram, blk, cnt);
  if (!w.ok) {
    why = "write failed: " + w.error;
    return std::nullopt;
  }
  // Poison the read-back buffer so a read that silently does nothing cannot pass.
  if (s_.has_command("mw")) s_.run(fmt::format("mw.l 0x{:x} 0 0x{:x}", r_.readback, len / 4));
  auto rd = block_io("read", r_.readback, blk, cnt);
  if (!rd.ok) {
    why = "read back failed: " + rd.error;
    return std::nullopt;
  }
  const uint32_t got = device_crc(r_.readback, len);
  if (got == want) return want;
  why = fmt::format("read back crc32 {:08x}, expected {:08x}", got, want);
  return std::nullopt;
}

// write_once until it verifies (bounded); resets re-attach and redo the chunk (RAM is lost, the
// card keeps what was written).
uint32_t SdDumper::write_chunk(uint64_t off, uint64_t len) {
  for (unsigned attempts = 1;; ++attempts) {
    check_cancel(s_.cancel_flag());
    std::string why;
    if (auto crc = guarded([&] { return write_once(off, len, why); })) return *crc;
    ++r_.chunk_retries;
    if (attempts > o_.retries)
      fail(ErrorKind::VerifyMismatch,
           fmt::format("flash offset 0x{:x} (+0x{:x}) at card block 0x{:x} never verified after {} writes ({})", off,
                       len, o_.start_block + off / kBlock, attempts, why),
           "the card is failing or too small: try another card");
    s_.reporter().log(LogLevel::Warn, fmt::format("chunk 0x{:x}: {}; writing it again", off, why));
  }
}

void SdDumper::report(uint64_t done, bool finished) {
  Progress p;
  p.stage = "writing";
  p.done = done;
  p.total = r_.flash_size;
  p.retries = r_.chunk_retries;
  p.wire_bytes = s_.wire_bytes() - wire0_;
  p.finished = finished;
  s_.reporter().progress(p);
}

// Read-back buffer: after the staging buffer (1 MiB aligned), or at --buffer/the SoC default
// when the flash is memory-mapped (then nothing is staged in RAM). Both must stay below U-Boot's
// reserved area (issue 13: `--chunk 16M` put the read-back into a 64 MiB T31's stack), so a
// chunk that does not fit is made smaller, with a warning. Returns the chunk; sets r_.readback.
uint64_t SdDumper::plan_chunk(uint64_t flash) {
  uint64_t chunk = std::min(o_.chunk, flash);
  const auto one = [](uint64_t c) { return c; };
  if (o_.readback) {
    if (!stager_.mapped()) chunk = stager_.fit_chunk(chunk, kBlock, stager_.buffer(), one, "--chunk");
    chunk = stager_.fit_chunk(chunk, kBlock, *o_.readback, one, "--chunk");
    r_.readback = *o_.readback;
  } else if (stager_.mapped()) {
    r_.readback = o_.staging.buffer ? *o_.staging.buffer : default_buffer(device());
    chunk = stager_.fit_chunk(chunk, kBlock, r_.readback, one, "--chunk");
  } else {
    chunk = stager_.fit_chunk(
        chunk, kBlock, stager_.buffer(), [](uint64_t c) { return mib_up(c) + c; }, "--chunk");
    r_.readback = stager_.buffer() + mib_up(chunk);
  }
  return chunk;
}

SdDumpResult SdDumper::run() {
  const auto t0 = std::chrono::steady_clock::now();
  wire0_ = s_.wire_bytes();
  dev_ = std::string(sd_device_name(o_.device));
  r_.device_name = dev_;
  if (o_.chunk == 0 || o_.chunk % kBlock) fail(ErrorKind::Usage, "--chunk must be a positive multiple of 512");
  guarded([this] { setup(); });
  const uint64_t flash = detect_flash_size(stager_, s_, o_.flash_size);
  if (stager_.probe()) r_.flash_name = stager_.probe()->name;
  if (flash == 0 || flash % kBlock)
    fail(ErrorKind::Usage, fmt::format("flash size {} is not a multiple of 512", flash));
  r_.flash_size = flash;
  r_.start_block = o_.start_block;
  r_.block_count = flash / kBlock;
  const uint64_t chunk = r_.chunk = plan_chunk(flash);
  s_.reporter().log(LogLevel::Info,
                    fmt::format("{}: writing {} to blocks 0x{:x}..0x{:x}, read-back buffer 0x{:x}", dev_,
                                format_size(flash), o_.start_block, o_.start_block + r_.block_count - 1, r_.readback));
  if (o_.confirm) o_.confirm(survey_sd(s_, dev_, o_.device_number, o_.start_block, r_.block_count, r_.readback));
  if (o_.erase && o_.device == SdDevice::Mmc) erase(r_.block_count);
  uint32_t whole = 0;
  for (uint64_t off = 0; off < flash; off += chunk) {
    const uint64_t len = std::min(chunk, flash - off);
    whole = off == 0 ? write_chunk(off, len) : crc32_combine(whole, write_chunk(off, len), len);
    report(off + len);
  }
  // The device's crc32 of the whole flash in one piece where it can be staged at once; larger
  // flashes keep the device's chunk CRCs combined.
  r_.whole_crc_from_device = check_whole_crc(0, flash, whole, "written chunks");
  r_.crc32 = whole;
  r_.device = device();
  r_.resets = resets();
  report(flash, true);
  r_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r_;
}

std::string size_text(uint64_t n) {
  if (n % (1u << 20) == 0) return fmt::format("{}M", n >> 20);
  if (n % 1024 == 0) return fmt::format("{}K", n >> 10);
  return std::to_string(n);
}

}  // namespace

std::string_view sd_device_name(SdDevice d) {
  switch (d) {
    case SdDevice::Mmc: return "mmc";
    case SdDevice::Virtio: return "virtio";
    case SdDevice::Usb: return "usb";
  }
  return "mmc";
}

std::optional<SdDevice> parse_sd_device(std::string_view text) {
  if (text == "mmc") return SdDevice::Mmc;
  if (text == "virtio") return SdDevice::Virtio;
  if (text == "usb") return SdDevice::Usb;
  return std::nullopt;
}

SdDumpResult dump_sd(uboot::UbootSession& s, const SdDumpOptions& opt) {
  SdDumper d(s, opt);
  return d.run();
}

std::string extract_command(const SdDumpResult& r, std::string_view source, std::string_view out) {
  return fmt::format("camdump extract {} -o {} --size {} --offset-blocks {} --expect-crc32 0x{:08x}", source, out,
                     size_text(r.flash_size), r.start_block, r.crc32);
}

std::string dd_command(const SdDumpResult& r, std::string_view source, std::string_view out) {
  return fmt::format("dd if={} of={} bs=512 skip={} count={}  # then check: crc32 {} == {:08x}", source, out,
                     r.start_block, r.block_count, out, r.crc32);
}

}  // namespace camdump::dump
