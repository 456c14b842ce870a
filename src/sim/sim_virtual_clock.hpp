// SPDX-License-Identifier: MIT
// Internal to the virtual camera: its clock. Virtual seconds advance by the wire time of each
// character (8N1: 10 bit times) and jump over idle stretches to the next event, so a test of a
// 16 MiB dump at 115200 baud takes CPU time, not 25 minutes. One timed event is pending at most
// (an autoboot countdown tick, or the power cycle of a board left in Linux).
#pragma once
#include <algorithm>
#include <cstdint>

namespace camdump::sim {

class VirtualClock {
 public:
  double now() const { return now_; }
  void advance(double secs) { now_ += secs; }
  /// Move forward to `t` (never backward).
  void advance_to(double t) { now_ = std::max(now_, t); }

  /// The pending timed event: schedule, cancel, and whether its time has come.
  void wake_at(double t) { wake_ = t; }
  void cancel_wake() { wake_ = -1; }
  bool wake_pending() const { return wake_ >= 0; }
  double wake_time() const { return wake_; }
  bool wake_due() const { return wake_ >= 0 && now_ >= wake_; }

  /// Seconds `chars` characters take on the wire at `baud` (8N1: 10 bit times each).
  static double wire_time(uint64_t chars, uint32_t baud) { return static_cast<double>(chars) * 10.0 / baud; }

 private:
  double now_ = 0;
  double wake_ = -1;  ///< < 0: none
};

}  // namespace camdump::sim
