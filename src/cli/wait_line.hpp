// SPDX-License-Identifier: MIT
// The live line while a U-Boot session attaches: what camdump waits for ("power the camera on
// now"), how many bytes arrived, whether they read as text at this baud rate or look like a wrong
// rate, and after a few seconds of silence the wiring hint (TX/RX/GND) instead of waiting out the
// whole attach timeout in silence. Fed by UbootSession's on_attach_wait hook.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "cli/reporter.hpp"
#include "uboot/session.hpp"

namespace camdump::cli {

/// What the bytes so far say.
struct WaitState {
  std::chrono::milliseconds elapsed{0};
  uint64_t bytes = 0, text_bytes = 0;
  bool autoboot = false, linux_seen = false;
  uint32_t baud = 0;  ///< the host's rate (0: not a serial line)
};

/// The phase (for the reporter) and the line to show; pure, for tests.
struct WaitText {
  int phase = 0;
  std::string line;
  std::string hint;  ///< a hint to print once as a warning when this phase begins ("" if none)
};
WaitText wait_text(const WaitState& s);

/// Seconds of silence after which the wiring hint appears.
constexpr std::chrono::seconds kSilenceHint{5};

class WaitLine {
 public:
  WaitLine(StderrReporter& rep, std::optional<uint32_t> baud) : rep_(rep) { s_.baud = baud.value_or(0); }
  void update(const uboot::AttachWait& w);

 private:
  StderrReporter& rep_;
  WaitState s_;
  int hinted_phase_ = -1;
};

/// `o` with its on_attach_wait hook drawing a WaitLine on the context's reporter.
uboot::SessionOptions with_wait_line(uboot::SessionOptions o, StderrReporter& rep, std::optional<uint32_t> baud);

}  // namespace camdump::cli
