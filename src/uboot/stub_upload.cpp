// SPDX-License-Identifier: MIT
// The stub's receive mode, host side (see stub_upload.hpp): runs of `go ENTRY DST LEN DIV FRAME`,
// the rate switch shared with the dump (sync_rate), a window of frames in flight, the answers
// matched to the last copy of each frame, passes of re-sending, the end exchange with the stub's
// CRC-32 of the region, and the way back to U-Boot's prompt.
//
// Bookkeeping that keeps RAM exact: the stub writes a frame's payload into its slot as it arrives
// (it has no room to hold a frame back), so a damaged copy leaves damaged bytes in the slot, also
// over an earlier good copy. Every copy carries a tag; a slot counts as written only when the
// answer to its LAST copy is 'K'. Bytes are tracked per 4-byte unit, so the frames may shrink
// between runs (4096 -> 1024 -> 256) and a later run sends only what is still unconfirmed.
#include "uboot/stub_upload.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>

#include "core/crc32.hpp"
#include "core/size.hpp"
#include "uboot/stub_answers.hpp"

namespace camdump::uboot {
namespace {

using ms = std::chrono::milliseconds;
constexpr uint32_t kUnit = 4;  // bookkeeping granularity: every frame size is a multiple of it

// Which bytes of the region the stub holds, for one run's frames. The stub writes a copy into its
// slot as it arrives, so sending a copy marks the slot's units unconfirmed, and a slot counts as
// written only when the answer to its LAST copy (matched by the copy's tag) is 'K'.
class FrameBook {
 public:
  FrameBook(std::span<const uint8_t> bytes, uint32_t frame, std::vector<uint8_t>& confirmed)
      : bytes_(bytes),
        len_(static_cast<uint32_t>(bytes.size())),
        frame_(frame),
        conf_(confirmed),
        last_tag_(frame_count(len_, frame)),
        sent_(last_tag_.size()) {}

  uint32_t frames() const { return static_cast<uint32_t>(last_tag_.size()); }
  /// The frames holding a unit the stub has not confirmed.
  std::vector<uint32_t> unconfirmed() const {
    std::vector<uint32_t> todo;
    for (uint32_t seq = 0; seq < frames(); seq++) {
      auto [a, b] = units(seq);
      if (std::find(conf_.begin() + a, conf_.begin() + b, 0) != conf_.begin() + b) todo.push_back(seq);
    }
    return todo;
  }
  size_t in_flight() const { return inflight_.size(); }
  /// The wire bytes of frame `seq`'s next copy, now in flight; counted in `res` as a first copy or
  /// one sent again.
  std::vector<uint8_t> next_copy(uint32_t seq, UploadResult& res) {
    const size_t off = size_t(seq) * frame_, n = std::min<size_t>(frame_, len_ - off);
    auto [u0, u1] = units(seq);
    std::fill(conf_.begin() + u0, conf_.begin() + u1, 0);  // this copy overwrites the slot
    last_tag_[seq] = ++tag_;
    (sent_[seq] ? res.resent_frames : res.frames)++;
    sent_[seq] = 1;
    inflight_.emplace_back(seq, tag_);
    return encode_write_frame(seq, tag_, bytes_.subspan(off, n));
  }
  /// The stub's answers: a frame counts when the answer to its last copy is 'K'; the frames sent
  /// before an answered one got no answer and are no longer in flight (lost).
  void settle(const std::vector<FrameAnswer>& answers) {
    for (const FrameAnswer& a : answers) {
      auto it = std::find_if(inflight_.begin(), inflight_.end(),
                             [&](const auto& f) { return f.first == a.seq && f.second == (a.tag & 0xffff); });
      if (it == inflight_.end()) continue;         // stale (an older copy) or damaged beyond its CRC
      inflight_.erase(inflight_.begin(), it + 1);  // those before it got no answer: lost
      if (!a.ok || last_tag_[a.seq] != a.tag) continue;
      auto [u0, u1] = units(a.seq);
      for (uint32_t u = u0; u < u1; u++) conf_[u] = 1;
      confirmed_bytes_ += std::min<uint64_t>(frame_, len_ - uint64_t(a.seq) * frame_);
    }
  }
  /// Silence: every frame in flight was lost (or its answer was).
  void lose_in_flight() { inflight_.clear(); }
  /// The stub's CRC-32 of the region disagrees: nothing in RAM can be trusted.
  void unconfirm_all() { std::fill(conf_.begin(), conf_.end(), 0); }
  /// Bytes this run's frames got confirmed.
  uint64_t confirmed_bytes() const { return confirmed_bytes_; }

 private:
  // The kUnit-sized units [a, b) of frame `seq`.
  std::pair<uint32_t, uint32_t> units(uint32_t seq) const {
    // b <= (len + kUnit - 1) / kUnit, and len is a uint32_t: the cast keeps the value.
    const uint32_t a = seq * frame_ / kUnit,
                   b = static_cast<uint32_t>((std::min<uint64_t>(len_, uint64_t(seq + 1) * frame_) + kUnit - 1) /
                                             kUnit);
    return {a, b};
  }

  std::span<const uint8_t> bytes_;
  uint32_t len_, frame_;
  std::vector<uint8_t>& conf_;      // per kUnit bytes, across runs
  std::vector<uint16_t> last_tag_;  // the tag of each frame's last copy
  std::vector<uint8_t> sent_;       // a copy of the frame went out in this run
  uint16_t tag_ = 0;
  std::deque<std::pair<uint32_t, uint16_t>> inflight_;  // seq, tag: in the order sent
  uint64_t confirmed_bytes_ = 0;
};

}  // namespace

struct StubLoader::UploadRun {
  UploadRun(uint32_t to, std::span<const uint8_t> data, uint32_t frame_size, std::vector<uint8_t>& confirmed,
            const StubUploadOptions& options)
      : dst(to),
        bytes(data),
        frame(frame_size),
        opt(options),
        dec(to, static_cast<uint32_t>(data.size()), frame_size),
        book(data, frame_size, confirmed) {}
  uint32_t len() const { return static_cast<uint32_t>(bytes.size()); }
  // Waiting for an answer: the window's wire time at the rate plus the adapter's latency. A port
  // without a rate (tcp:, QEMU) may be slow: under QEMU host bytes reach the guest at a few KB/s.
  ms answer_wait() const {
    return ms(rate ? uint64_t(opt.window) * write_frame_chars(frame) * 10 * 1000 / rate + 500 : 10000);
  }

  // What the run writes.
  uint32_t dst;
  std::span<const uint8_t> bytes;
  uint32_t frame;
  const StubUploadOptions& opt;
  // How it ended.
  bool failed_fast = false;  // gave up because of the fast rate: worth a run one step lower
  bool final = false;        // no point in another run (no stub, CRC disagreement)
  std::string failure;
  // While it runs.
  uint32_t rate = 0;      // the line rate carrying the frames (0: a port without a rate)
  StubStreamDecoder dec;  // the hello and the rate switch; on the way back, tells late packets from text
  StubAnswerDecoder ans;  // the answers to the frames and the region's CRC-32
  FrameBook book;
};

// One run, as the steps of docs/stub.md "Receive mode": `go`, the stub's hello, the rate switch,
// passes of frames until the stub has confirmed every one, its CRC-32 of the region, 'Q'.
bool StubLoader::upload_run(UploadRun& run, UploadResult& res) {
  stats_.runs++;
  res.runs++;
  const uint32_t fast = start_receiving(run);
  if (!hello_heard(run)) return false;
  run.rate = fast ? sync_rate(run.dec, console_rate_, fast) : console_rate_;
  send_passes(run, res);
  if (run.rate) res.rates[run.rate] += run.book.confirmed_bytes();
  if (run.failure.empty() && !returned_rc_) check_region_crc(run, res);
  return leave_run(run);
}

// `go ENTRY DST LEN DIV FRAME`, asking for the next rate of the ladder (DIV 0: U-Boot's rate), and
// the stub's hello at U-Boot's rate. Returns the rate asked for (0: none).
uint32_t StubLoader::start_receiving(UploadRun& run) {
  auto& t = s_.transport();
  probes_ = 0;
  returned_rc_.reset();
  console_rate_ = t.baud().value_or(0);
  line_rate_ = console_rate_;
  const uint32_t fast = console_rate_ ? next_rate().value_or(0) : 0;
  const uint32_t div = fast ? uart_divisor(soc_.uart, fast).value_or(0) : 0;
  t.write(fmt::format("go {:x} {:x} {:x} {:x} {:x}\r", load_ + img_.entry_offset, run.dst, run.len(), div, run.frame));
  wait_hello(run.dec);
  return fast;
}

// Whether the stub said hello for this run; when not, the run is over (another run would not help)
// and the console is back at U-Boot's prompt where it can be.
bool StubLoader::hello_heard(UploadRun& run) {
  if (!run.dec.hello_seen()) {
    std::string tail = run.dec.junk_text();
    run.failure = fmt::format("the stub did not answer within {} ms: {}", opt_.hello_timeout.count(), uart_advice());
    run.final = true;
    if (!wait_prompt(tail, opt_.exit_timeout + opt_.fallback_timeout) && reboot_seen(tail)) rebooted(tail);
    return false;
  }
  if (run.dec.hello_mismatch()) {
    run.failure = "the stub's hello disagrees with the run (another stub version?)";
    run.final = true;
    back_to_uboot(console_rate_);
    return false;
  }
  return true;
}

// Passes over the frames still unconfirmed, while they make progress (a confirmed frame stays
// confirmed): at 256-byte frames on a noisy line the last few frames may need many passes.
void StubLoader::send_passes(UploadRun& run, UploadResult& res) {
  const unsigned rounds = run.opt.resend_rounds;
  const uint32_t nframes = run.book.frames();
  size_t last_todo = SIZE_MAX;
  for (unsigned round = 0, stalled = 0;; round++) {
    const std::vector<uint32_t> todo = run.book.unconfirmed();
    if (todo.empty() || returned_rc_) break;
    stalled = todo.size() < last_todo ? 0 : stalled + 1;
    last_todo = todo.size();
    if (stalled >= rounds / 2 + 1 || round >= 4 * rounds) {
      run.failure = fmt::format("{} of {} frames still unconfirmed after {} passes", todo.size(), nframes, round);
      run.failed_fast = run.rate != console_rate_;
      break;
    }
    // Most frames still failing after two passes: this rate (or this frame size) will not do.
    if (round >= 2 && todo.size() * 4 > nframes && (run.rate != console_rate_ || run.frame >= 1024)) {
      run.failure = fmt::format("{} of {} frames still damaged after {} passes", todo.size(), nframes, round);
      run.failed_fast = run.rate != console_rate_;
      break;
    }
    send_pass(run, res, todo);
  }
  run.ans.idle();
  run.book.settle(run.ans.take_answers());
}

// One pass: the frames of `todo` through a window of frames in flight.
void StubLoader::send_pass(UploadRun& run, UploadResult& res, const std::vector<uint32_t>& todo) {
  auto& t = s_.transport();
  const ms answer_wait = run.answer_wait();
  for (size_t i = 0; (i < todo.size() || run.book.in_flight()) && !returned_rc_;) {
    while (i < todo.size() && run.book.in_flight() < run.opt.window) {
      const auto f = run.book.next_copy(todo[i++], res);
      t.write(std::span<const uint8_t>(f.data(), f.size()));
    }
    // Wait for the oldest frames' answers only when the window is full (or nothing is left to
    // send): the frames written meanwhile keep the line busy, so the wait costs no line time.
    if (!run.book.in_flight()) continue;
    listen_answers(run, answer_wait);
    if (!run.ans.answers_waiting()) {  // silence: every frame in flight was lost (or its answer was)
      run.ans.idle();
      run.book.settle(run.ans.take_answers());
      run.book.lose_in_flight();
    }
    run.book.settle(run.ans.take_answers());
  }
}

// Reads until an answer arrives or `quiet` of silence, watching for a camera that rebooted or
// a stub that left by itself.
void StubLoader::listen_answers(UploadRun& run, ms quiet) {
  auto& t = s_.transport();
  std::array<uint8_t, 16384> buf;
  ms silent{0};
  while (!returned_rc_) {
    check_cancel(s_.cancel_flag());
    const size_t n = t.read(buf, ms(50));
    if (n) {
      silent = 0ms;
      run.ans.feed(std::span<const uint8_t>(buf.data(), n));
      if (run.ans.answers_waiting()) return;
      continue;
    }
    silent += 50ms;
    if (silent >= quiet) return;
    if (silent >= 100ms) {
      const std::string text = run.ans.console_text();
      if (reboot_seen(text)) {
        rebooted(text);  // throws when U-Boot answers
        run.ans.forget_junk();
      }
      if (text.find("## Application terminated") != std::string::npos && !s_.prompt().empty() &&
          text.ends_with(s_.prompt()))
        returned_rc_ = CDSTUB_RC_IDLE;
    }
    if (line_rate_ != console_rate_ && probes_ < 5 && silent >= 300ms) probe_reboot(run.dec);
  }
}

// The end exchange: the stub's CRC-32 of the whole region against the bytes' own.
void StubLoader::check_region_crc(UploadRun& run, UploadResult& res) {
  auto& ans = run.ans;
  const ms crc_wait = 3000ms + ms(uint64_t(run.len()) * 1000 / (2u << 20));
  for (int i = 0; i < 4 && !ans.end_crc() && !returned_rc_; i++) {
    send_command('E', 0);
    for (ms waited{0}; waited < crc_wait && !ans.end_crc() && !returned_rc_; waited += 100ms)
      listen_answers(run, 100ms);
  }
  const uint32_t want = crc32(run.bytes);
  if (!ans.end_crc()) run.failure = "the stub did not report the CRC-32 of the region";
  else if (*ans.end_len() != run.len() || *ans.end_crc() != want) {
    run.failure = fmt::format("the stub's CRC-32 of the region is {} instead of {} after every frame was confirmed",
                              crc_hex(*ans.end_crc()), crc_hex(want));
    run.final = true;  // memory that does not keep what was written, or a CRC collision: no retry
    run.book.unconfirm_all();
  } else {
    res.crc = *ans.end_crc();
  }
}

// 'Q' and U-Boot's prompt at U-Boot's rate (as after a dump). Returns whether the run succeeded.
bool StubLoader::leave_run(UploadRun& run) {
  if (returned_rc_ && run.failure.empty()) run.failure = fmt::format("the stub returned early (rc {})", *returned_rc_);
  const bool prompt = back_to_uboot(run.rate, &run.dec);
  if (!prompt && run.failure.empty()) run.failure = "the console did not come back after the stub";
  stats_.bad_packets += run.ans.bad_packets();
  stats_.junk_bytes += run.ans.junk_bytes();
  return run.failure.empty();
}

UploadResult StubLoader::write_ram(uint64_t addr, std::span<const uint8_t> bytes, const StubUploadOptions& opt) {
  UploadResult res;
  if (opt.frame_size < 64 || opt.frame_size > CDSTUB_RX_MAX_FRAME || opt.frame_size % 4)
    fail(ErrorKind::Usage,
         fmt::format("stub upload frames must be a multiple of 4 from 64 to {}", CDSTUB_RX_MAX_FRAME));
  if (opt.window == 0) fail(ErrorKind::Usage, "stub upload window must be at least 1 frame");
  if (bytes.empty()) {
    res.ok = true;
    res.crc = crc32(bytes);
    return res;
  }
  if (addr > 0xffffffffu || bytes.size() > 0xffffffffu - addr)
    fail(ErrorKind::Usage, "stub upload range beyond 32 bits");
  // MIPS: write through the uncached KSEG1 alias, so U-Boot's `sf write` (CPU copy or DMA) and
  // `crc32` read the bytes from memory, not a stale cache line (MIPS32 PRA: KSEG0 cached, KSEG1 not).
  uint32_t dst = static_cast<uint32_t>(addr);
  if (soc_.arch == CpuArch::Mips32el && dst >= 0x80000000u && dst < 0xa0000000u) dst |= 0x20000000u;
  if (overlaps_stub(dst, bytes.size())) {
    res.failure = fmt::format("the range {:#x}+{:#x} overlaps the stub at {:#x}", addr, bytes.size(), load_);
    return res;
  }
  if (!uploaded_) upload();
  probe_adapter();
  auto& t = s_.transport();
  const uint64_t tx0 = t.tx_bytes(), rx0 = t.rx_bytes();
  upload_runs(dst, bytes, opt, res);
  res.tx_chars = t.tx_bytes() - tx0;
  res.rx_chars = t.rx_bytes() - rx0;
  res.wire_chars = res.tx_chars + res.rx_chars;
  res.notes = notes_;
  s_.reporter().log(LogLevel::Info,
                    res.ok
                        ? fmt::format("stub upload: {} bytes to {:#x}, {} frames + {} sent again, {} wire characters",
                                      bytes.size(), addr, res.frames, res.resent_frames, res.wire_chars)
                        : "stub upload failed: " + res.failure);
  return res;
}

// Runs until every byte is in RAM, each after a failed one a rate step lower (failed at a fast
// rate) or with frames a quarter the size (a noisy line), sending only what is still unconfirmed.
void StubLoader::upload_runs(uint32_t dst, std::span<const uint8_t> bytes, const StubUploadOptions& opt,
                             UploadResult& res) {
  std::vector<uint8_t> confirmed((bytes.size() + kUnit - 1) / kUnit, 0);
  uint32_t frame = opt.frame_size;
  for (;;) {
    UploadRun run(dst, bytes, frame, confirmed, opt);
    if (upload_run(run, res)) {
      res.ok = true;
      res.bytes = bytes.size();
      return;
    }
    if (!run.final && run.failed_fast && step_down(run.failure)) continue;
    if (!run.final && frame >= 1024 && frame % 16 == 0) {  // a noisy line: smaller frames arrive intact
      frame /= 4;
      note(fmt::format("{}: frames of {} bytes from here", run.failure, frame));
      continue;
    }
    res.failure = run.failure;
    for (size_t u = 0; u < confirmed.size(); u++)
      if (confirmed[u]) res.bytes += std::min<uint64_t>(kUnit, bytes.size() - u * kUnit);
    return;
  }
}

UploadResult stub_upload(StubLoader& loader, uint64_t ram_addr, std::span<const uint8_t> bytes,
                         const StubUploadOptions& opt) {
  return loader.write_ram(ram_addr, bytes, opt);
}

UploadResult stub_upload(UbootSession& s, const SocEntry& soc, uint64_t ram_addr, std::span<const uint8_t> bytes,
                         const StubUploadOptions& opt, const std::vector<uint32_t>& rates, StubLoaderOptions lopt) {
  StubLoader loader(s, soc, lopt);
  loader.set_rates(rates);
  return loader.write_ram(ram_addr, bytes, opt);
}

}  // namespace camdump::uboot
