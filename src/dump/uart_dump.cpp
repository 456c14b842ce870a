// SPDX-License-Identifier: MIT
// The UART md dump (see uart_dump.hpp). Chunk reading and line repair are in md_reader.cpp.
#include "dump/uart_dump.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>

#include "core/atomic_file.hpp"
#include "core/crc32.hpp"
#include "core/file_util.hpp"
#include "core/hash.hpp"
#include "core/size.hpp"
#include "dump/md_reader.hpp"
#include "uboot/device_crc.hpp"

namespace camdump::dump {
namespace {

using namespace std::chrono_literals;

constexpr unsigned kMaxRecoveries = 30;  // camera resets / lost prompts survived in one run

class UartDumper {
 public:
  UartDumper(uboot::UbootSession& s, const UartDumpOptions& o) : s_(s), o_(o), stager_(s, o.staging) {}
  UartDumpResult run();

 private:
  void setup();
  void recover(const uboot::ConsoleLost& e);
  void go_fast();
  void restore_baud() noexcept;
  void settle(size_t i);
  bool settle_group(size_t i);
  void check_resumed();
  void verify_whole_and_commit();
  void report(bool finished = false);
  void append_state(size_t i);

  uboot::UbootSession& s_;
  const UartDumpOptions& o_;
  Stager stager_;
  ChunkPlan plan_;
  std::unique_ptr<AtomicFile> file_;
  std::unique_ptr<MdReader> reader_;
  UartDumpResult r_;
  std::optional<uint32_t> orig_baud_;
  bool fast_ = false;
  bool stub_carries_ = false;  ///< the last non-blank chunk came through fast_read
  unsigned recoveries_ = 0;
  uint64_t rx0_ = 0, tx0_ = 0;
  std::chrono::steady_clock::time_point t0_;
  std::filesystem::path state_path_;
};

void UartDumper::setup() {
  s_.attach();
  s_.disable_watchdog();
  r_.device = s_.device_info();
  stager_.prepare();
}

void UartDumper::go_fast() {
  if (!o_.fast_baud) return;
  switch (s_.set_baud(*o_.fast_baud)) {
    case uboot::BaudResult::Switched:
      fast_ = true;
      r_.baud_note = fmt::format("switched to {} baud", *o_.fast_baud);
      break;
    case uboot::BaudResult::Unchanged: r_.baud_note = "already at that rate"; break;
    case uboot::BaudResult::NotSupported:
      r_.baud_note = fmt::format("U-Boot refused {} baud (not supported); stayed at {}", *o_.fast_baud,
                                 orig_baud_ ? std::to_string(*orig_baud_) : "the current rate");
      return;  // the session has said so already (issue 15: it was reported twice)
    case uboot::BaudResult::HostCannot: r_.baud_note = "this port cannot change its rate"; break;
    case uboot::BaudResult::FellBack:
      r_.baud_note = fmt::format("{} baud did not answer; fell back", *o_.fast_baud);
      break;
  }
  s_.reporter().log(LogLevel::Info, "fast baud: " + r_.baud_note);
}

void UartDumper::restore_baud() noexcept {
  if (!fast_ || !orig_baud_) return;
  try {
    s_.set_baud(*orig_baud_);
  } catch (...) {
  }
  fast_ = false;
}

void UartDumper::recover(const uboot::ConsoleLost& e) {
  if (++recoveries_ > kMaxRecoveries)
    fail(ErrorKind::Io, fmt::format("the console was lost {} times; giving up ({})", recoveries_, e.what()),
         "check the wiring, power supply and watchdog; then run again with --resume");
  r_.resets += e.why() == uboot::ConsoleLost::Why::Reset;
  if (e.why() == uboot::ConsoleLost::Why::Silent) {  // usually a prompt damaged by line noise
    s_.reporter().log(LogLevel::Info, fmt::format("{}; camdump is sending Ctrl-C to bring the prompt back", e.what()));
    if (s_.resync()) return;
  }
  s_.reporter().log(LogLevel::Warn, fmt::format("{}: re-attaching and staging again", e.what()));
  // A reset brings the UART back to its power-on rate and loses RAM: re-attach and re-stage.
  if (fast_ && orig_baud_) {
    s_.transport().set_baud(*orig_baud_);
    fast_ = false;
  }
  setup();
  go_fast();
}

void UartDumper::append_state(size_t i) {
  std::ofstream f(state_path_, std::ios::app);
  f << ChunkPlan::state_line(i, plan_.chunks[i]);
  f.flush();
}

void UartDumper::report(bool finished) {
  Progress p;
  p.stage = "reading";
  p.done = plan_.settled_bytes();
  p.total = plan_.length;
  p.skipped = r_.blank_bytes;
  p.retries = (reader_ ? reader_->reread_lines() : 0) + r_.chunk_retries;
  p.wire_bytes = s_.wire_bytes() - rx0_ - tx0_;
  p.finished = finished;
  s_.reporter().progress(p);
}

// Once the binary stub carries the dump, it takes up to kStubGroup of pending chunks per `sf read`,
// `crc32` and `go` (issue 18: at 1.5 Mbaud these commands at U-Boot's 115200, per 64 KiB chunk,
// cost more than the data). Blank frames travel as short 'B' packets, so a group that holds blank
// chunks costs little more; an all-blank group is still skipped by its crc32. Every chunk of the
// group is written and saved for --resume; false = settle chunk i alone (md's path).
constexpr uint64_t kStubGroup = 4 << 20;

bool UartDumper::settle_group(size_t i) {
  size_t j = i;
  uint64_t len = 0;
  while (j < plan_.chunks.size() && plan_.chunks[j].status == ChunkStatus::Pending &&
         plan_.chunks[j].offset == plan_.chunks[i].offset + len && len + plan_.chunks[j].len <= kStubGroup)
    len += plan_.chunks[j++].len;
  while (j - i > 1 && !stager_.fits(len)) len -= plan_.chunks[--j].len;  // below U-Boot's reserved area
  if (j - i < 2) return false;
  check_cancel(s_.cancel_flag());
  try {
    const uint64_t ram = stager_.stage(plan_.chunks[i].offset, len);
    const std::optional<uint32_t> dev = uboot::device_crc32(s_, ram, len, uboot::kChunkCrc);
    if (!dev) return false;
    std::vector<uint8_t> data;
    if (o_.skip_blank && *dev == crc32_fill(0xff, len)) {
      data.assign(len, 0xff);
    } else {
      auto fast = o_.fast_read(ram, len);
      stub_carries_ = fast.has_value();
      if (!fast || fast->size() != len || crc32(*fast) != *dev) return false;
      data = std::move(*fast);
    }
    uint64_t off = 0;
    for (size_t k = i; k < j; off += plan_.chunks[k++].len) {
      Chunk& c = plan_.chunks[k];
      const std::span<const uint8_t> part(data.data() + off, c.len);
      const bool blank = o_.skip_blank && std::all_of(part.begin(), part.end(), [](uint8_t b) { return b == 0xff; });
      c.crc = crc32(part);
      c.status = blank ? ChunkStatus::Blank : ChunkStatus::Verified;
      (blank ? r_.blank_bytes : r_.read_bytes) += c.len;
      if (!blank) r_.fast_bytes += c.len;
      file_->write_at(c.offset - plan_.offset, part);
      append_state(k);
    }
    return true;
  } catch (const uboot::ConsoleLost& e) {
    recover(e);
    return false;
  }
}

// Stage, device crc32, blank-skip or md + repair, verify; retry; survive resets.
void UartDumper::settle(size_t i) {
  if (stub_carries_ && o_.fast_read && settle_group(i)) return;
  Chunk& c = plan_.chunks[i];
  const uint32_t blank = crc32_fill(0xff, c.len);
  unsigned attempts = 0;
  std::vector<uint8_t> data;
  for (;;) {
    check_cancel(s_.cancel_flag());
    try {
      uint64_t ram = stager_.stage(c.offset, c.len);
      const std::optional<uint32_t> dev = uboot::require_device_crc32(s_, ram, c.len, uboot::kChunkCrc);
      if (o_.skip_blank && *dev == blank) {
        data.assign(c.len, 0xff);
        c.status = ChunkStatus::Blank;
        c.crc = *dev;
        r_.blank_bytes += c.len;
      } else {
        std::optional<VerifiedRead> got;
        if (o_.fast_read) {  // binary stub (issue 8); md when it declines or disagrees
          auto fast = o_.fast_read(ram, c.len);
          if (fast && fast->size() == c.len && crc32(*fast) == *dev) got = VerifiedRead{std::move(*fast), *dev};
        }
        const bool was_fast = got.has_value();
        stub_carries_ = was_fast;
        if (!got) got = reader_->read_verified(ram, c.len, *dev);
        if (!got) {
          ++r_.chunk_retries;
          if (++attempts > o_.retries)
            fail(ErrorKind::VerifyMismatch,
                 fmt::format("chunk at flash offset 0x{:x} (+0x{:x}) never verified after {} reads", c.offset,
                             c.len, attempts),
                 "the line is too noisy or the flash read is unstable: lower the baud rate, shorten the "
                 "wires, then --resume (nothing was zero-filled)");
          s_.reporter().log(LogLevel::Info, fmt::format("chunk 0x{:x}: CRC mismatch, re-reading", c.offset));
          continue;
        }
        data = std::move(got->data);
        c.status = ChunkStatus::Verified;
        c.crc = got->crc;
        r_.read_bytes += c.len;
        if (was_fast) r_.fast_bytes += c.len;
      }
      file_->write_at(c.offset - plan_.offset, data);
      append_state(i);
      return;
    } catch (const uboot::ConsoleLost& e) {
      recover(e);
    }
  }
}

// --resume: every chunk saved earlier must still match the file and the device.
void UartDumper::check_resumed() {
  std::vector<uint8_t> buf;
  for (size_t i = 0; i < plan_.chunks.size(); ++i) {
    Chunk& c = plan_.chunks[i];
    if (c.status == ChunkStatus::Pending) continue;
    buf.resize(c.len);
    bool ok = file_->size() >= c.offset - plan_.offset + c.len;
    if (ok) {
      file_->read_at(c.offset - plan_.offset, buf);
      ok = crc32(buf) == c.crc;
    }
    while (ok) {
      try {
        uint64_t ram = stager_.stage(c.offset, c.len);
        const auto dev = uboot::device_crc32(s_, ram, c.len, uboot::kChunkCrc);
        ok = dev && *dev == c.crc;
        break;
      } catch (const uboot::ConsoleLost& e) {
        recover(e);
      }
    }
    if (ok) {
      r_.resumed_bytes += c.len;
      if (c.status == ChunkStatus::Blank) r_.blank_bytes += c.len;
    } else {
      s_.reporter().log(LogLevel::Warn, fmt::format("saved chunk 0x{:x} no longer matches; reading it again", c.offset));
      c.status = ChunkStatus::Pending;
    }
  }
  write_file_atomic(state_path_, std::span<const uint8_t>(
                                     reinterpret_cast<const uint8_t*>(plan_.state_text().data()),
                                     plan_.state_text().size()));
}

void UartDumper::verify_whole_and_commit() {
  file_->truncate(plan_.length);
  Digest sha(Digest::Algo::Sha256);
  uint32_t local = 0;
  std::vector<uint8_t> buf;
  for (uint64_t pos = 0; pos < plan_.length; pos += buf.size()) {
    buf.resize(std::min<uint64_t>(1 << 20, plan_.length - pos));
    file_->read_at(pos, buf);
    local = crc32(buf, local);
    sha.update(buf);
  }
  if (local != plan_.combined_crc())
    fail(ErrorKind::VerifyMismatch, "OUT.part does not match the verified chunks (disk error?)",
         "run again without --resume");
  // The device's CRC32 of the whole range: one crc32 over memory-mapped flash, or over the whole
  // range staged at once when it is at most 16 MiB (the guide's own `sf read 0x80600000 0 0x1000000`);
  // otherwise the device's chunk CRCs combined.
  // (A flag and a value rather than an optional: GCC 12 warns, wrongly, that the optional's
  // value may be used uninitialized once inlined into fmt.)
  bool have = false;
  uint32_t dev = 0;
  for (int attempt = 0; attempt < 6 && !have; ++attempt) {
    try {
      if (stager_.mapped() || (plan_.length <= (16u << 20) && stager_.fits(plan_.length))) {  // below U-Boot
        uint64_t ram = stager_.stage(plan_.offset, plan_.length);
        if (auto c = uboot::device_crc32(s_, ram, plan_.length, uboot::whole_image_crc(local))) have = true, dev = *c;
      } else {
        have = true, dev = plan_.combined_crc();
      }
    } catch (const uboot::ConsoleLost& e) {
      recover(e);
    }
  }
  if (!have) fail(ErrorKind::Protocol, "no readable whole-image crc32 from the device");
  if (dev != local)
    fail(ErrorKind::VerifyMismatch,
         fmt::format("whole-image CRC32 differs: device {:08x}, file {:08x}", dev, local),
         "the flash changed during the dump or staging overlapped; run again");
  r_.crc32 = local;
  r_.sha256 = sha.hex_final();
  file_->commit();
  std::error_code ec;
  std::filesystem::remove(state_path_, ec);
}

UartDumpResult UartDumper::run() {
  t0_ = std::chrono::steady_clock::now();
  rx0_ = s_.transport().rx_bytes();
  tx0_ = s_.transport().tx_bytes();
  orig_baud_ = s_.transport().baud();
  r_.out = o_.out;
  state_path_ = state_path_for(o_.out);
  try {
    setup();
    uint64_t flash = detect_flash_size(stager_, s_, o_.flash_size);
    if (stager_.probe()) r_.flash_name = stager_.probe()->name;
    if (o_.offset >= flash) fail(ErrorKind::Usage, "--offset is past the end of the flash");
    uint64_t length = o_.length ? *o_.length : flash - o_.offset;
    plan_ = ChunkPlan::make(o_.offset, length, o_.chunk, flash);
    bool resuming = false;
    if (o_.resume && std::filesystem::exists(state_path_) && std::filesystem::exists(part_path_for(o_.out))) {
      auto raw = read_file(state_path_);
      ChunkPlan saved = parse_state(std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()));
      if (saved.offset != plan_.offset || saved.length != plan_.length || saved.chunk != plan_.chunk)
        fail(ErrorKind::Usage, "the saved state is for another range or chunk size",
             fmt::format("use --offset 0x{:x} --length 0x{:x} --chunk 0x{:x}, or drop --resume", saved.offset,
                         saved.length, saved.chunk));
      plan_ = saved;
      resuming = true;
    } else if (o_.resume) {
      s_.reporter().log(LogLevel::Warn, "nothing to resume: starting from the beginning");
    }
    file_ = std::make_unique<AtomicFile>(o_.out, resuming ? AtomicFile::Open::Resume : AtomicFile::Open::Truncate,
                                         AtomicFile::OnAbandon::Keep);
    if (resuming) {
      check_resumed();
    } else {
      std::string st = plan_.state_text();
      write_file_atomic(state_path_, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(st.data()), st.size()));
    }
    go_fast();
    r_.baud = s_.transport().baud();
    reader_ = std::make_unique<MdReader>(s_, o_.width);
    report();  // the stage starts here, so the rate and ETA are real from the first chunk on
    for (size_t i = 0; i < plan_.chunks.size(); ++i) {
      if (plan_.chunks[i].status != ChunkStatus::Pending) continue;
      settle(i);
      report();
    }
    r_.width = reader_->width();
    r_.reread_lines = reader_->reread_lines();
    verify_whole_and_commit();
    report(true);
    restore_baud();
  } catch (const Error& e) {
    restore_baud();
    if (e.kind() == ErrorKind::Cancelled && !file_)  // before OUT.part existed: nothing to resume
      fail(ErrorKind::Cancelled, "interrupted before the dump started; nothing was written",
           "run the same command again");
    if (e.kind() == ErrorKind::Cancelled)
      fail(ErrorKind::Cancelled,
           fmt::format("interrupted; {} of {} bytes are saved in {}", plan_.settled_bytes(), plan_.length,
                       part_path_for(o_.out).string()),
           "run the same command with --resume to continue");
    throw;
  }
  r_.offset = plan_.offset;
  r_.length = plan_.length;
  r_.flash_size = plan_.flash_size;
  r_.rx_bytes = s_.transport().rx_bytes() - rx0_;
  r_.tx_bytes = s_.transport().tx_bytes() - tx0_;
  r_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  return r_;
}

}  // namespace

UartDumpResult dump_uart(uboot::UbootSession& s, const UartDumpOptions& opt) {
  UartDumper d(s, opt);
  return d.run();
}

}  // namespace camdump::dump
