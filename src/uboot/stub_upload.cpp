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

}  // namespace

struct StubLoader::UploadRun {
  uint32_t dst = 0;
  std::span<const uint8_t> bytes;
  uint32_t frame = 0;
  std::vector<uint8_t>* confirmed = nullptr;  // per kUnit bytes
  const StubUploadOptions* opt = nullptr;
  bool failed_fast = false;  // gave up because of the fast rate: worth a run one step lower
  bool final = false;        // no point in another run (no stub, CRC disagreement)
  std::string failure;
};

bool StubLoader::upload_run(UploadRun& run, UploadResult& res) {
  auto& t = s_.transport();
  auto& conf = *run.confirmed;
  const uint32_t len = static_cast<uint32_t>(run.bytes.size()), frame = run.frame;
  const uint32_t nframes = frame_count(len, frame);
  const auto units = [&](uint32_t seq) {
    // b <= (len + kUnit - 1) / kUnit, and len is a uint32_t: the cast keeps the value.
    const uint32_t a = seq * frame / kUnit,
                   b = static_cast<uint32_t>((std::min<uint64_t>(len, uint64_t(seq + 1) * frame) + kUnit - 1) / kUnit);
    return std::pair<uint32_t, uint32_t>(a, b);
  };
  const auto pending = [&](uint32_t seq) {
    auto [a, b] = units(seq);
    return std::find(conf.begin() + a, conf.begin() + b, 0) != conf.begin() + b;
  };

  stats_.runs++;
  res.runs++;
  probes_ = 0;
  returned_rc_.reset();
  console_rate_ = t.baud().value_or(0);
  line_rate_ = console_rate_;
  const uint32_t fast = console_rate_ ? next_rate().value_or(0) : 0;
  const uint32_t div = fast ? uart_divisor(soc_.uart, fast).value_or(0) : 0;
  t.write(fmt::format("go {:x} {:x} {:x} {:x} {:x}\r", load_ + img_.entry_offset, run.dst, len, div, frame));

  StubStreamDecoder dec(run.dst, len, frame);
  wait_hello(dec);
  if (!dec.hello_seen()) {
    std::string tail = dec.junk_text();
    run.failure = fmt::format("the stub did not answer within {} ms: {}", opt_.hello_timeout.count(), uart_advice());
    run.final = true;
    if (!wait_prompt(tail, opt_.exit_timeout + opt_.fallback_timeout) && reboot_seen(tail)) rebooted(tail);
    return false;
  }
  if (dec.hello_mismatch()) {
    run.failure = "the stub's hello disagrees with the run (another stub version?)";
    run.final = true;
    back_to_uboot(console_rate_);
    return false;
  }
  const uint32_t rate = fast ? sync_rate(dec, console_rate_, fast) : console_rate_;

  StubAnswerDecoder ans;
  std::vector<uint16_t> last_tag(nframes);
  std::vector<uint8_t> sent(nframes);
  uint16_t tag = 0;
  std::deque<std::pair<uint32_t, uint16_t>> inflight;  // seq, tag: in the order sent
  uint64_t confirmed_bytes = 0;
  std::array<uint8_t, 16384> buf;
  // Waiting for an answer: the window's wire time at the rate plus the adapter's latency. A port
  // without a rate (tcp:, QEMU) may be slow: under QEMU host bytes reach the guest at a few KB/s.
  const ms answer_wait =
      ms(rate ? uint64_t(run.opt->window) * write_frame_chars(frame) * 10 * 1000 / rate + 500 : 10000);

  // Reads until an answer arrives or `quiet` of silence, watching for a camera that rebooted or
  // a stub that left by itself.
  const auto listen = [&](ms quiet) {
    ms silent{0};
    while (!returned_rc_) {
      check_cancel(s_.cancel_flag());
      const size_t n = t.read(buf, ms(50));
      if (n) {
        silent = 0ms;
        ans.feed(std::span<const uint8_t>(buf.data(), n));
        if (ans.answers_waiting()) return;
        continue;
      }
      silent += 50ms;
      if (silent >= quiet) return;
      if (silent >= 100ms) {
        const std::string text = ans.console_text();
        if (reboot_seen(text)) {
          rebooted(text);  // throws when U-Boot answers
          ans.forget_junk();
        }
        if (text.find("## Application terminated") != std::string::npos && !s_.prompt().empty() &&
            text.ends_with(s_.prompt()))
          returned_rc_ = CDSTUB_RC_IDLE;
      }
      if (line_rate_ != console_rate_ && probes_ < 5 && silent >= 300ms) probe_reboot(dec);
    }
  };
  const auto settle = [&] {
    for (const FrameAnswer& a : ans.take_answers()) {
      auto it = std::find_if(inflight.begin(), inflight.end(),
                             [&](const auto& f) { return f.first == a.seq && f.second == (a.tag & 0xffff); });
      if (it == inflight.end()) continue;        // stale (an older copy) or damaged beyond its CRC
      inflight.erase(inflight.begin(), it + 1);  // those before it got no answer: lost
      if (!a.ok || last_tag[a.seq] != a.tag) continue;
      auto [u0, u1] = units(a.seq);
      for (uint32_t u = u0; u < u1; u++) conf[u] = 1;
      confirmed_bytes += std::min<uint64_t>(frame, len - uint64_t(a.seq) * frame);
    }
  };

  size_t last_todo = SIZE_MAX;
  for (unsigned round = 0, stalled = 0;; round++) {
    std::vector<uint32_t> todo;
    for (uint32_t seq = 0; seq < nframes; seq++)
      if (pending(seq)) todo.push_back(seq);
    if (todo.empty() || returned_rc_) break;
    // Passes go on while they make progress (a confirmed frame stays confirmed): at 256-byte
    // frames on a noisy line the last few frames may need many passes.
    stalled = todo.size() < last_todo ? 0 : stalled + 1;
    last_todo = todo.size();
    if (stalled >= run.opt->resend_rounds / 2 + 1 || round >= 4 * run.opt->resend_rounds) {
      run.failure = fmt::format("{} of {} frames still unconfirmed after {} passes", todo.size(), nframes, round);
      run.failed_fast = rate != console_rate_;
      break;
    }
    // Most frames still failing after two passes: this rate (or this frame size) will not do.
    if (round >= 2 && todo.size() * 4 > nframes && (rate != console_rate_ || frame >= 1024)) {
      run.failure = fmt::format("{} of {} frames still damaged after {} passes", todo.size(), nframes, round);
      run.failed_fast = rate != console_rate_;
      break;
    }
    for (size_t i = 0; (i < todo.size() || !inflight.empty()) && !returned_rc_;) {
      while (i < todo.size() && inflight.size() < run.opt->window) {
        const uint32_t seq = todo[i++];
        const size_t off = size_t(seq) * frame, n = std::min<size_t>(frame, len - off);
        auto [u0, u1] = units(seq);
        std::fill(conf.begin() + u0, conf.begin() + u1, 0);  // this copy overwrites the slot
        last_tag[seq] = ++tag;
        (sent[seq] ? res.resent_frames : res.frames)++;
        sent[seq] = 1;
        inflight.emplace_back(seq, tag);
        const auto f = encode_write_frame(seq, tag, run.bytes.subspan(off, n));
        t.write(std::span<const uint8_t>(f.data(), f.size()));
      }
      // Wait for the oldest frames' answers only when the window is full (or nothing is left to
      // send): the frames written meanwhile keep the line busy, so the wait costs no line time.
      if (inflight.empty()) continue;
      listen(answer_wait);
      if (!ans.answers_waiting()) {  // silence: every frame in flight was lost (or its answer was)
        ans.idle();
        settle();
        inflight.clear();
      }
      settle();
    }
  }
  ans.idle();
  settle();
  if (rate) res.rates[rate] += confirmed_bytes;

  // The end exchange: the stub's CRC-32 of the whole region.
  if (run.failure.empty() && !returned_rc_) {
    const ms crc_wait = 3000ms + ms(uint64_t(len) * 1000 / (2u << 20));
    for (int i = 0; i < 4 && !ans.end_crc() && !returned_rc_; i++) {
      send_command('E', 0);
      for (ms waited{0}; waited < crc_wait && !ans.end_crc() && !returned_rc_; waited += 100ms) listen(100ms);
    }
    const uint32_t want = crc32(run.bytes);
    if (!ans.end_crc()) run.failure = "the stub did not report the CRC-32 of the region";
    else if (*ans.end_len() != len || *ans.end_crc() != want) {
      run.failure = fmt::format("the stub's CRC-32 of the region is {} instead of {} after every frame was confirmed",
                                crc_hex(*ans.end_crc()), crc_hex(want));
      run.final = true;  // memory that does not keep what was written, or a CRC collision: no retry
      std::fill(conf.begin(), conf.end(), 0);
    } else {
      res.crc = *ans.end_crc();
    }
  }
  if (returned_rc_ && run.failure.empty()) run.failure = fmt::format("the stub returned early (rc {})", *returned_rc_);
  const bool prompt = back_to_uboot(rate, &dec);
  if (!prompt && run.failure.empty()) run.failure = "the console did not come back after the stub";
  stats_.bad_packets += ans.bad_packets();
  stats_.junk_bytes += ans.junk_bytes();
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
  const auto phys = [&](uint64_t a) { return soc_.arch == CpuArch::Mips32el ? (a & 0x1fffffffu) : a; };
  const uint64_t st = phys(load_), sp = phys(dst);
  if (sp < st + image_.size() && st < sp + bytes.size()) {
    res.failure = fmt::format("the range {:#x}+{:#x} overlaps the stub at {:#x}", addr, bytes.size(), load_);
    return res;
  }
  if (!uploaded_) upload();
  probe_adapter();
  auto& t = s_.transport();
  const uint64_t tx0 = t.tx_bytes(), rx0 = t.rx_bytes();
  std::vector<uint8_t> confirmed((bytes.size() + kUnit - 1) / kUnit, 0);
  uint32_t frame = opt.frame_size;
  for (;;) {
    UploadRun run;
    run.dst = dst;
    run.bytes = bytes;
    run.frame = frame;
    run.confirmed = &confirmed;
    run.opt = &opt;
    if (upload_run(run, res)) {
      res.ok = true;
      res.bytes = bytes.size();
      break;
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
    break;
  }
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
