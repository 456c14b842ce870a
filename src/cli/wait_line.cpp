// SPDX-License-Identifier: MIT
#include "cli/wait_line.hpp"

#include <fmt/core.h>

#include <memory>

namespace camdump::cli {
namespace {

// Bytes a U-Boot or Linux console prints: printable ASCII, CR, LF, tab, backspace (countdowns),
// ESC (colour codes). At a wrong baud rate the receiver samples bits at the wrong times and most
// bytes land outside this set (framing noise, 0x80-0xff).
bool is_text(unsigned char c) {
  return (c >= 0x20 && c < 0x7f) || c == '\r' || c == '\n' || c == '\t' || c == 8 || c == 27;
}

enum Phase { kNothing = 1, kSilent, kText, kGarbage, kAutoboot, kLinux };

}  // namespace

WaitText wait_text(const WaitState& s) {
  const double secs = std::chrono::duration<double>(s.elapsed).count();
  const std::string t = fmt::format("{:.0f} s", secs);
  if (s.linux_seen)
    return {kLinux, fmt::format("Linux is booting: power-cycle the camera now (camdump keeps sending Ctrl-C) - {}", t),
            ""};
  if (s.autoboot)
    return {kAutoboot, fmt::format("autoboot countdown seen: stopping it with Ctrl-C, waiting for the prompt - {}", t),
            ""};
  if (s.bytes == 0) {
    if (s.elapsed < kSilenceHint)
      return {kNothing, fmt::format("waiting for the console - power the camera on now: nothing received yet - {}", t),
              ""};
    return {kSilent, fmt::format("nothing received for {}: check the wiring, then power-cycle the camera", t),
            "nothing arrived from the console: adapter TX goes to the camera's RX, adapter RX to the camera's TX, GND "
            "to GND (a 3.3 V adapter); is the camera powered? camdump keeps waiting"};
  }
  const double bad = 1.0 - static_cast<double>(s.text_bytes) / static_cast<double>(s.bytes);
  if (s.bytes >= 16 && bad > 0.25) {
    std::string rate = s.baud ? fmt::format(" at {} baud", s.baud) : "";
    return {kGarbage,
            fmt::format("waiting for the console: {} bytes received, {:.0f}% not text{} - wrong baud rate? - {}",
                        s.bytes, bad * 100, rate, t),
            fmt::format("the bytes arriving do not read as text{}: the camera probably uses another rate (try --baud "
                        "115200, 57600 or 38400), or GND is not connected",
                        rate)};
  }
  return {kText, fmt::format("waiting for the U-Boot prompt: {} bytes of text received - {}", s.bytes, t), ""};
}

void WaitLine::update(const uboot::AttachWait& w) {
  if (w.done) {
    rep_.end_status();
    return;
  }
  s_.elapsed = w.elapsed;
  s_.autoboot = w.autoboot;
  s_.linux_seen = w.linux_seen;
  for (char c : w.received) {
    ++s_.bytes;
    if (is_text(static_cast<unsigned char>(c))) ++s_.text_bytes;
  }
  WaitText t = wait_text(s_);
  if (!t.hint.empty() && hinted_phase_ != t.phase) {
    hinted_phase_ = t.phase;
    rep_.log(LogLevel::Warn, t.hint);
  }
  rep_.status(t.line, t.phase);
}

uboot::SessionOptions with_wait_line(uboot::SessionOptions o, StderrReporter& rep, std::optional<uint32_t> baud) {
  auto line = std::make_shared<WaitLine>(rep, baud);
  o.on_attach_wait = [line](const uboot::AttachWait& w) { line->update(w); };
  return o;
}

}  // namespace camdump::cli
