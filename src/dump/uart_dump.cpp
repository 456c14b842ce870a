// SPDX-License-Identifier: MIT
// The UART md dump (see uart_dump.hpp). Chunk reading and line repair are in md_reader.cpp; the
// console-route skeleton (recovery, whole-image CRC, OUT.part and its resume state) in
// console_route.cpp.
#include "dump/uart_dump.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "core/crc32.hpp"
#include "dump/console_route.hpp"
#include "dump/md_reader.hpp"
#include "uboot/device_crc.hpp"

namespace camdump::dump {
namespace {

// Once the binary stub carries the dump, it takes up to kStubGroup of pending chunks per `sf read`,
// `crc32` and `go` (issue 18: at 1.5 Mbaud these commands at U-Boot's 115200, per 64 KiB chunk,
// cost more than the data). Blank frames travel as short 'B' packets, so a group that holds blank
// chunks costs little more; an all-blank group is still skipped by its crc32.
constexpr uint64_t kStubGroup = 4 << 20;

bool all_ff(std::span<const uint8_t> d) {
  return std::all_of(d.begin(), d.end(), [](uint8_t b) { return b == 0xff; });
}

class UartDumper : public ConsoleRoute {
 public:
  UartDumper(uboot::UbootSession& s, const UartDumpOptions& o)
      : ConsoleRoute(s, o.staging, "check the wiring, power supply and watchdog; then run again with --resume"),
        o_(o) {}
  UartDumpResult run();

 private:
  void before_reattach() override;
  void after_reattach() override { go_fast(); }
  void go_fast();
  void restore_baud() noexcept;
  ChunkPlan plan_for_flash();
  void read_all();
  void settle(size_t i);
  std::optional<VerifiedRead> read_chunk(const Chunk& c, uint64_t ram, uint32_t dev, bool& was_fast);
  bool settle_group(size_t i);
  size_t group_end(size_t i, uint64_t& len) const;
  void report(bool finished = false);
  void finish_result();

  const UartDumpOptions& o_;
  std::unique_ptr<ChunkedOutput> out_;
  std::unique_ptr<MdReader> reader_;
  UartDumpResult r_;
  std::optional<uint32_t> orig_baud_;
  bool fast_ = false;
  bool stub_carries_ = false;  ///< the last non-blank chunk came through fast_read
  uint64_t rx0_ = 0, tx0_ = 0;
  std::chrono::steady_clock::time_point t0_;
};

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
  } catch (...) {}
  fast_ = false;
}

// A reset brings the UART back to its power-on rate.
void UartDumper::before_reattach() {
  if (fast_ && orig_baud_) {
    s_.transport().set_baud(*orig_baud_);
    fast_ = false;
  }
}

void UartDumper::report(bool finished) {
  Progress p;
  p.stage = "reading";
  p.done = out_->plan().settled_bytes();
  p.total = out_->plan().length;
  p.skipped = r_.blank_bytes;
  p.retries = (reader_ ? reader_->reread_lines() : 0) + r_.chunk_retries;
  p.wire_bytes = s_.wire_bytes() - rx0_ - tx0_;
  p.finished = finished;
  s_.reporter().progress(p);
}

// The pending chunks from i on that one stub run takes: contiguous, at most kStubGroup, and
// staged below U-Boot's reserved area. Returns the end index; `len` their bytes.
size_t UartDumper::group_end(size_t i, uint64_t& len) const {
  const auto& ch = out_->plan().chunks;
  size_t j = i;
  len = 0;
  while (j < ch.size() && ch[j].status == ChunkStatus::Pending && ch[j].offset == ch[i].offset + len &&
         len + ch[j].len <= kStubGroup)
    len += ch[j++].len;
  while (j - i > 1 && !stager_.fits(len)) len -= ch[--j].len;
  return j;
}

// Every chunk of the group is written and saved for --resume; false = settle chunk i alone
// (md's path).
bool UartDumper::settle_group(size_t i) {
  uint64_t len = 0;
  const size_t j = group_end(i, len);
  if (j - i < 2) return false;
  check_cancel(s_.cancel_flag());
  try {
    const uint64_t ram = stager_.stage(out_->plan().chunks[i].offset, len);
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
    for (size_t k = i; k < j; off += out_->plan().chunks[k++].len) {
      const std::span<const uint8_t> part(data.data() + off, out_->plan().chunks[k].len);
      const bool blank = o_.skip_blank && all_ff(part);
      (blank ? r_.blank_bytes : r_.read_bytes) += part.size();
      if (!blank) r_.fast_bytes += part.size();
      out_->settle(k, part, blank ? ChunkStatus::Blank : ChunkStatus::Verified, crc32(part));
    }
    return true;
  } catch (const uboot::ConsoleLost& e) {
    recover(e);
    return false;
  }
}

// The binary stub first when there is one (issue 8), md when it declines or disagrees.
std::optional<VerifiedRead> UartDumper::read_chunk(const Chunk& c, uint64_t ram, uint32_t dev, bool& was_fast) {
  was_fast = false;
  if (o_.fast_read) {
    auto fast = o_.fast_read(ram, c.len);
    if (fast && fast->size() == c.len && crc32(*fast) == dev) was_fast = true;
    stub_carries_ = was_fast;
    if (was_fast) return VerifiedRead{std::move(*fast), dev};
  }
  return reader_->read_verified(ram, c.len, dev);
}

// Stage, device crc32, blank-skip or read + repair, verify; retry; survive resets.
void UartDumper::settle(size_t i) {
  if (stub_carries_ && o_.fast_read && settle_group(i)) return;
  const Chunk c = out_->plan().chunks[i];
  for (unsigned attempts = 1;; ++attempts) {
    check_cancel(s_.cancel_flag());
    const bool done = guarded([&] {
      const uint64_t ram = stager_.stage(c.offset, c.len);
      const uint32_t dev = uboot::require_device_crc32(s_, ram, c.len, uboot::kChunkCrc);
      if (o_.skip_blank && dev == crc32_fill(0xff, c.len)) {
        r_.blank_bytes += c.len;
        out_->settle(i, std::vector<uint8_t>(c.len, 0xff), ChunkStatus::Blank, dev);
        return true;
      }
      bool was_fast = false;
      auto got = read_chunk(c, ram, dev, was_fast);
      if (!got) return false;
      r_.read_bytes += c.len;
      if (was_fast) r_.fast_bytes += c.len;
      out_->settle(i, got->data, ChunkStatus::Verified, got->crc);
      return true;
    });
    if (done) return;
    ++r_.chunk_retries;
    if (attempts > o_.retries)
      fail(ErrorKind::VerifyMismatch,
           fmt::format("chunk at flash offset 0x{:x} (+0x{:x}) never verified after {} reads", c.offset, c.len,
                       attempts),
           "the line is too noisy or the flash read is unstable: lower the baud rate, shorten the "
           "wires, then --resume (nothing was zero-filled)");
    s_.reporter().log(LogLevel::Info, fmt::format("chunk 0x{:x}: CRC mismatch, re-reading", c.offset));
  }
}

ChunkPlan UartDumper::plan_for_flash() {
  const uint64_t flash = detect_flash_size(stager_, s_, o_.flash_size);
  if (stager_.probe()) r_.flash_name = stager_.probe()->name;
  if (o_.offset >= flash) fail(ErrorKind::Usage, "--offset is past the end of the flash");
  return ChunkPlan::make(o_.offset, o_.length ? *o_.length : flash - o_.offset, o_.chunk, flash);
}

// Open OUT.part (fresh or resumed: saved chunks re-checked against the file and the device),
// speed up, read every pending chunk.
void UartDumper::read_all() {
  out_ = std::make_unique<ChunkedOutput>(o_.out, plan_for_flash(), o_.resume, 16, s_.reporter());
  if (out_->resuming()) {
    r_.resumed_bytes = out_->check_resumed([this](const Chunk& c) {
      return guarded([&] { return uboot::device_crc32(s_, stager_.stage(c.offset, c.len), c.len, uboot::kChunkCrc); });
    });
    r_.blank_bytes = out_->plan().blank_bytes();
  }
  go_fast();
  r_.baud = s_.transport().baud();
  reader_ = std::make_unique<MdReader>(s_, o_.width);
  report();  // the stage starts here, so the rate and ETA are real from the first chunk on
  for (size_t i = 0; i < out_->plan().chunks.size(); ++i) {
    if (out_->plan().chunks[i].status != ChunkStatus::Pending) continue;
    settle(i);
    report();
  }
  r_.width = reader_->width();
  r_.reread_lines = reader_->reread_lines();
}

void UartDumper::finish_result() {
  const ChunkPlan& plan = out_->plan();
  r_.offset = plan.offset;
  r_.length = plan.length;
  r_.flash_size = plan.flash_size;
  r_.resets = resets();
  r_.device = device();
  r_.rx_bytes = s_.transport().rx_bytes() - rx0_;
  r_.tx_bytes = s_.transport().tx_bytes() - tx0_;
  r_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
}

UartDumpResult UartDumper::run() {
  t0_ = std::chrono::steady_clock::now();
  rx0_ = s_.transport().rx_bytes();
  tx0_ = s_.transport().tx_bytes();
  orig_baud_ = s_.transport().baud();
  r_.out = o_.out;
  try {
    setup();
    read_all();
    const auto v = out_->verify_and_commit(*this);
    r_.crc32 = v.crc32;
    r_.sha256 = v.sha256;
    report(true);
    restore_baud();
  } catch (const Error& e) {
    restore_baud();
    if (e.kind() == ErrorKind::Cancelled && !out_)  // before OUT.part existed: nothing to resume
      fail(ErrorKind::Cancelled, "interrupted before the dump started; nothing was written",
           "run the same command again");
    if (e.kind() == ErrorKind::Cancelled) out_->interrupted();
    if (out_) try {
        out_->save_state();
      } catch (const Error&) {}
    throw;
  }
  finish_result();
  return r_;
}

}  // namespace

UartDumpResult dump_uart(uboot::UbootSession& s, const UartDumpOptions& opt) {
  UartDumper d(s, opt);
  return d.run();
}

}  // namespace camdump::dump
