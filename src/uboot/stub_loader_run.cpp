// SPDX-License-Identifier: MIT
// One run of the stub (see stub_loader.hpp): the sync exchange at the new rate (the rate ladder:
// stub_loader_rates.cpp), the stream, re-requests, the watch for a camera that reboots under the
// stub, and the way back to U-Boot's prompt at U-Boot's rate.
#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "core/crc32.hpp"
#include "core/size.hpp"
#include "uboot/console_text.hpp"
#include "uboot/stub_loader.hpp"

namespace camdump::uboot {
namespace {

using ms = std::chrono::milliseconds;
constexpr ms kSlice = 50ms;

std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

// The run of console text at the end of `text`: printable characters, CR, LF, TAB, BS. Flash data
// that contains U-Boot's own strings (the stub streams the U-Boot partition too) breaks such a run
// with NULs and carries '%' format characters, so it is cut off there.
std::string_view console_tail(std::string_view text) {
  size_t i = text.size();
  for (; i > 0; --i) {
    const unsigned char c = static_cast<unsigned char>(text[i - 1]);
    if (c == '%' || !((c >= 0x20 && c < 0x7f) || c == '\r' || c == '\n' || c == '\t' || c == '\b')) break;
  }
  return text.substr(i);
}

// The console's own text where only packets should be, at the end of what arrived: a countdown,
// or a boot banner with the boot log after it (bootdelay 0: up to the prompt).
bool says_reboot(std::string_view text, std::string_view prompt) {
  (void)prompt;
  const std::string_view t = console_tail(text);
  if (t.size() < 24) return false;
  return find_autoboot(t) != AutobootKind::None || find_boot_banner(t);
}

std::optional<uint32_t> returned_rc(std::string_view text, std::string_view prompt) {
  auto at = text.rfind("## Application terminated, rc = 0x");
  if (at == std::string_view::npos || prompt.empty() || !ends_with_prompt(text, prompt)) return std::nullopt;
  return static_cast<uint32_t>(std::strtoul(std::string(text.substr(at + 35, 8)).c_str(), nullptr, 16));
}

}  // namespace

bool StubLoader::reboot_seen(const std::string& text) const { return says_reboot(text, s_.prompt()); }

std::string StubLoader::uart_advice() const {
  const uint32_t phys = soc_.uart.base & (soc_.arch == CpuArch::Mips32el ? 0x1fffffffu : 0xffffffffu);
  if (phys >> 16 == 0x1003)
    return fmt::format(
        "the UART guess {}:uart{} at {:#x} is likely wrong; the boot log's serial@1003N000 (or the camera's "
        "board notes) names the console UART: pass --soc {}:uartN (N = 0..{})",
        soc_.name, (phys >> 12) & 0xf, phys, soc_.name, soc_.uarts - 1);
  return fmt::format("the console UART guess ({} at {:#x}) is likely wrong; check --soc", soc_.name, phys);
}

// Reboot text was seen: stop the countdown now (it may last one second: Ctrl-C stops "any key",
// Thingino's keyed Ctrl-C and OpenIPC's older text; OpenIPC's current one wants Enter) and make
// sure U-Boot answers (a prompt, "<INTERRUPT>", more boot text). Throws ConsoleLost(Reset) then.
// Returns when nothing answers at U-Boot's rate: the text was flash data inside a damaged frame,
// and the stub, still running, took the poke for noise.
void StubLoader::rebooted(const std::string& text) {
  auto& t = s_.transport();
  const uint32_t was = line_rate_;
  if (line_rate_ != console_rate_ && console_rate_) t.set_baud(console_rate_);
  line_rate_ = console_rate_;
  t.write(std::string_view("\x03"));
  if (lower(text).find("enter") != std::string::npos) t.write(std::string_view("\r"));
  std::string got;
  std::array<uint8_t, 4096> b;
  for (ms quiet{0}; quiet < 600ms && got.size() < 65536;) {
    size_t n = t.read(b, kSlice);
    if (n) got.append(reinterpret_cast<const char*>(b.data()), n);
    else quiet += kSlice;
  }
  const std::string_view tail = console_tail(got);
  if (tail.find("<INTERRUPT>") != std::string_view::npos || find_linux(tail) || find_linux(console_tail(text)) ||
      says_reboot(got, s_.prompt()) ||
      (!s_.prompt().empty() && tail.ends_with(s_.prompt()) &&
       got.find("## Application terminated") == std::string::npos)) {
    uploaded_ = false;
    throw ConsoleLost(ConsoleLost::Why::Reset, "the camera rebooted while the stub was streaming");
  }
  if (was != line_rate_) t.set_baud(was);
  line_rate_ = was;
}

// At a fast rate the console's text after a reboot is garbage to us: listen at U-Boot's rate,
// poke with Ctrl-C, and see whether U-Boot answers. False (and back at the fast rate) otherwise.
bool StubLoader::probe_reboot(StubStreamDecoder& dec) {
  (void)dec;
  probes_++;
  auto& t = s_.transport();
  const uint32_t fast = line_rate_;
  t.set_baud(console_rate_);
  line_rate_ = console_rate_;
  std::string text;
  std::array<uint8_t, 4096> b;
  auto listen = [&](ms total) {
    ms quiet{0};
    for (size_t got = 0; quiet < total && got < 65536;) {
      size_t n = t.read(b, kSlice);
      got += n;
      if (n) text.append(reinterpret_cast<const char*>(b.data()), n);
      else quiet += kSlice;
    }
  };
  listen(200ms);
  if (!says_reboot(text, s_.prompt())) {
    t.write(std::string_view("\x03"));
    listen(400ms);
  }
  // U-Boot answered the poke: a stopped countdown prints the prompt (keyed: without a newline),
  // a prompt prints "<INTERRUPT>" and the prompt again.
  const std::string_view tail = console_tail(text);
  if (says_reboot(text, s_.prompt()) || tail.find("<INTERRUPT>") != std::string_view::npos ||
      (!s_.prompt().empty() && tail.ends_with(s_.prompt()))) {
    uploaded_ = false;
    throw ConsoleLost(ConsoleLost::Why::Reset, "the camera rebooted while the stub was streaming");
  }
  t.set_baud(fast);
  line_rate_ = fast;
  return false;
}

template <class Done>
void StubLoader::pump(StubStreamDecoder& dec, ms quiet, Done done) {
  auto& t = s_.transport();
  std::array<uint8_t, 16384> buf;
  ms silent{0}, since_packet{0};
  uint64_t seen = dec.intact_packets();
  while (!done() && silent < quiet && !returned_rc_) {
    check_cancel(s_.cancel_flag());
    size_t n = t.read(buf, kSlice);
    if (n) {
      silent = 0ms;
      dec.feed(std::span<const uint8_t>(buf.data(), n));
    } else {
      silent += kSlice;
      since_packet += kSlice;
    }
    if (dec.intact_packets() != seen) {
      seen = dec.intact_packets();
      since_packet = 0ms;
      // The stub is alive: probes so far were false alarms (a lost end packet keeps it silent
      // while it waits for the host). A reboot later in the run still gets its probes.
      probes_ = 0;
    }
    if (silent >= 100ms) {
      if (const std::string text = dec.console_text(); says_reboot(text, s_.prompt())) {
        rebooted(text);
        dec.forget_junk();  // a false alarm: flash data that looked like a boot log
      }
      returned_rc_ = returned_rc(dec.junk_text(), s_.prompt());
    }
    // At a fast rate the stub answers within milliseconds; 300 ms of silence means it is gone
    // (damaged frames do not count: they still arrive).
    if (line_rate_ != console_rate_ && probes_ < 5 && since_packet >= 300ms && silent >= 300ms) {
      probe_reboot(dec);
      since_packet = 0ms;
    }
  }
  if (!done()) dec.idle();
}

void StubLoader::wait_hello(StubStreamDecoder& dec) {
  pump(dec, opt_.hello_timeout, [&] { return dec.hello_seen(); });
}

uint32_t StubLoader::sync_rate(StubStreamDecoder& dec, uint32_t console, uint32_t rate) {
  auto& t = s_.transport();
  auto streaming = [&] { return dec.rate_switched().has_value() || dec.frames() != dec.missing().size(); };
  if (t.set_baud(rate)) {
    line_rate_ = rate;
    const uint32_t token = 0x53594e00u + static_cast<uint32_t>(stats_.runs & 0xff);
    for (ms spent{0}; spent < opt_.sync_timeout && dec.sync_token() != token; spent += 100ms) {
      send_command('S', token);
      pump(dec, 100ms, [&] { return dec.sync_token() == token; });
    }
    if (dec.sync_token() == token) {
      for (int i = 0; i < 4 && !streaming(); i++) {
        send_command('G', 0);
        pump(dec, 200ms, streaming);
      }
      if (dec.rate_switched().value_or(true) && streaming()) return rate;
    }
  }
  // No proof at the new rate: back to U-Boot's; the stub falls back by itself (sync_polls).
  stats_.rate_fallbacks++;
  t.set_baud(console);
  line_rate_ = console;
  note(fmt::format("no sync at {} baud: both ends fell back to {}", rate, console));
  pump(dec, opt_.fallback_timeout, streaming);
  return console;
}

std::optional<std::vector<uint8_t>> StubLoader::read(uint64_t addr, uint64_t len) {
  failure_.clear();
  failed_fast_ = false;
  probes_ = 0;
  returned_rc_.reset();
  if (len == 0) return std::vector<uint8_t>{};
  if (addr > 0xffffffffu || len > 0xffffffffu - addr) fail(ErrorKind::Usage, "stub range beyond 32 bits");
  if (overlaps_stub(addr, len)) {
    failure_ = fmt::format("the range {:#x}+{:#x} overlaps the stub at {:#x}", addr, len, load_);
    return std::nullopt;
  }
  if (!uploaded_) upload();
  probe_adapter();
  stats_.runs++;
  StubStreamDecoder dec(static_cast<uint32_t>(addr), static_cast<uint32_t>(len), opt_.frame_size);
  const uint32_t fast = start_stream(dec);
  if (!stream_answered(dec)) return std::nullopt;
  const uint32_t rate = fast ? sync_rate(dec, console_rate_, fast) : console_rate_;
  pump(dec, opt_.idle_timeout, [&] { return dec.complete(); });
  const uint64_t first_pass_missing = dec.missing().size();
  request_missing(dec, rate);
  stats_.frames += dec.frames();
  stats_.blank_frames += dec.blank_frames();
  stats_.bad_packets += dec.bad_packets();
  stats_.junk_bytes += dec.junk_bytes();
  if (!finish_stream(dec, rate)) return std::nullopt;
  // Most frames failed at a fast rate: the next run goes one step lower.
  if (rate != console_rate_ && first_pass_missing * 4 > uint64_t{dec.frames()} * 3)
    step_down(fmt::format("{} of {} frames damaged", first_pass_missing, dec.frames()));
  rate_bytes_[rate] += len;
  return dec.data();
}

// `go ENTRY SRC LEN [DIV]` (DIV: the next rate of the ladder) and the stub's hello at U-Boot's
// rate, which proves the stub runs and talks on this UART. Returns the rate asked for (0: none).
uint32_t StubLoader::start_stream(StubStreamDecoder& dec) {
  auto& t = s_.transport();
  console_rate_ = t.baud().value_or(0);
  line_rate_ = console_rate_;
  // A plain value, not an optional: GCC 12 warns, wrongly, that the optional may be uninitialized.
  const uint32_t fast = console_rate_ ? next_rate().value_or(0) : 0;
  const uint32_t entry = load_ + img_.entry_offset;
  std::string go = fmt::format("go {:x} {:x} {:x}", entry, dec.src(), dec.len());
  if (fast) go += fmt::format(" {:x}", uart_divisor(soc_.uart, fast).value_or(0));
  t.write(go + "\r");
  pump(dec, opt_.hello_timeout, [&] { return dec.hello_seen() || dec.frames() != dec.missing().size(); });
  return fast;
}

// Whether the stub answered (a hello, a frame or its end packet). When not, failure_ says why and
// the console is back at U-Boot's prompt where it can be.
bool StubLoader::stream_answered(StubStreamDecoder& dec) {
  if (dec.hello_seen() || dec.missing().size() != dec.frames() || dec.end_crc()) return true;
  std::string tail = dec.junk_text();
  if (returned_rc_ == CDSTUB_RC_TXDEAD)
    failure_ = "the stub found its UART's transmitter never ready and returned: " + uart_advice();
  else failure_ = fmt::format("the stub did not answer within {} ms: {}", opt_.hello_timeout.count(), uart_advice());
  // It gives up on its own (bounded waits): after streaming into the other UART and idle_polls.
  const auto stream = ms(console_rate_ ? uint64_t(dec.len()) * 10 * 1000 / console_rate_ : 0);
  if (!returned_rc_ && !wait_prompt(tail, opt_.exit_timeout + opt_.fallback_timeout + stream) && reboot_seen(tail))
    rebooted(tail);  // throws when U-Boot answers
  return false;
}

// Repair phase: one request at a time (the stub reads its RX FIFO only between frames, and a
// 16-byte FIFO holds just one 11-byte command), each answered before the next is sent.
void StubLoader::request_missing(StubStreamDecoder& dec, uint32_t rate) {
  for (unsigned round = 0; !dec.complete() && !returned_rc_; round++) {
    if (round >= opt_.resend_rounds) {
      failure_ = fmt::format("{} frames still damaged after {} rounds of re-requests", dec.missing().size(),
                             opt_.resend_rounds);
      failed_fast_ = rate != console_rate_;
      break;
    }
    if (rate != console_rate_ && round >= 2 && dec.missing().size() * 4 > dec.frames()) {
      failure_ = fmt::format("{} of {} frames still damaged at {} baud", dec.missing().size(), dec.frames(), rate);
      failed_fast_ = true;
      break;
    }
    auto miss = dec.missing();
    if (!dec.end_crc()) miss.push_back(CDSTUB_SEQ_END);
    for (uint32_t seq : miss) {
      if (seq != CDSTUB_SEQ_END) stats_.resent_frames++;
      send_command('R', seq);
      pump(dec, opt_.idle_timeout / 2,
           [&] { return seq == CDSTUB_SEQ_END ? dec.end_crc().has_value() : dec.have(seq); });
    }
  }
}

// Back to U-Boot's prompt, then the verdict on the stream: every frame, the stub's CRC-32 of the
// range against the frames. False with failure_ set when the range must be read another way.
bool StubLoader::finish_stream(StubStreamDecoder& dec, uint32_t rate) {
  const bool prompt = back_to_uboot(rate, &dec);
  if (returned_rc_ && failure_.empty() && !dec.complete())
    failure_ = fmt::format("the stub returned early (rc {})", *returned_rc_);
  if (!prompt && failure_.empty()) failure_ = "the console did not come back after the stub";
  if (failure_.empty() && *dec.end_crc() != crc32(dec.data()))
    failure_ = "the stub's CRC-32 of the range disagrees with the frames";
  return failure_.empty();
}

// The stub's answer to 'Q' at a switched rate (stub_abi.h): read at that rate until it comes,
// `timeout` of silence passes, or bytes that are no packet of the stub's keep coming (the console
// talking at U-Boot's rate: a camera that rebooted, its boot log garbage at this rate). Frames and
// answers still on their way are packets of the run (`run`'s geometry), not junk.
bool StubLoader::quit_answered(std::chrono::milliseconds timeout, const StubStreamDecoder* run) {
  auto& t = s_.transport();
  StubStreamDecoder dec = run ? StubStreamDecoder(run->src(), run->len(), run->frame()) : StubStreamDecoder(0, 0, 16);
  std::array<uint8_t, 32> buf;  // the answer is 19 bytes; a reboot's text is left for wait_prompt
  for (ms silent{0}; silent < timeout && !dec.quit_answered() && dec.junk_bytes() < 32;) {
    check_cancel(s_.cancel_flag());
    const size_t n = t.read(buf, kSlice);
    if (n) dec.feed(std::span<const uint8_t>(buf.data(), n));
    else silent += kSlice;
  }
  return dec.quit_answered();
}

// Back to U-Boot: 'Q' at the stream's rate, then listen at U-Boot's (the stub restores its
// divisor before returning); resent if the prompt does not come (the stub also leaves on silence).
// At a switched rate the stub answers 'Q', goes back to U-Boot's divisor and returns on a second
// 'Q' sent at U-Boot's rate, so U-Boot's "## Application terminated" comes after the host's own
// rate change, however long that takes (RFC 2217: the network and ser2net).
bool StubLoader::back_to_uboot(uint32_t rate, const StubStreamDecoder* run) {
  auto& t = s_.transport();
  std::string after;
  bool prompt = returned_rc_.has_value();
  for (int i = 0; i < 3 && !prompt; i++) {
    if (rate != console_rate_) t.set_baud(rate);
    send_command('Q', 0);
    if (rate != console_rate_) {
      const bool answered = quit_answered(300ms, run);
      t.set_baud(console_rate_);
      // Without the answer no second 'Q': the console may be U-Boot's already (a reboot), where
      // its bytes would land at the prompt. A stub whose answer noise took returns by itself
      // after sync_polls, and its "## Application terminated" finds the host at U-Boot's rate.
      if (answered) send_command('Q', 0);
      else s_.reporter().log(LogLevel::Debug, "stub: no answer to 'Q' at the fast rate; listening at U-Boot's rate");
    }
    prompt = wait_prompt(after, 1500ms);
    if (!prompt && !reboot_seen(after)) {
      // No prompt (damaged by noise, or a reboot whose text went by as garbage): poke U-Boot at
      // its rate. A stub still waiting at the fast rate hears garbage and stays.
      t.write(std::string_view("\x03"));
      prompt = wait_prompt(after, 500ms);
      const std::string_view tail = console_tail(after);
      if ((prompt || tail.find("<INTERRUPT>") != std::string_view::npos ||
           (!s_.prompt().empty() && tail.ends_with(s_.prompt()))) &&
          after.find("## Application terminated") == std::string::npos) {
        uploaded_ = false;
        throw ConsoleLost(ConsoleLost::Why::Reset, "the camera rebooted while the stub was streaming");
      }
    }
  }
  line_rate_ = console_rate_;
  if (!prompt && !reboot_seen(after)) prompt = wait_prompt(after, opt_.exit_timeout + opt_.fallback_timeout);
  if (!prompt && reboot_seen(after)) rebooted(after);
  return prompt;
}

}  // namespace camdump::uboot
