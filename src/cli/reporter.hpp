// SPDX-License-Identifier: MIT
// Renders library progress and logs on stderr: one live line with rate and ETA on a terminal,
// a line every few seconds otherwise. Never writes to stdout (stdout is for results and JSON).
// Two more live lines come from the CLI itself: the "waiting for the console" status while a
// session attaches (status()), and the bytes arriving inside the current chunk (wire()).
// Thread-safe: a TFTP server thread may log while the console thread draws.
#pragma once
#include <chrono>
#include <mutex>
#include <string>

#include "core/report.hpp"

namespace camdump::cli {

class StderrReporter : public Reporter {
 public:
  StderrReporter();
  void log(LogLevel level, std::string_view msg) override;
  void progress(const Progress& p) override;
  void set_verbose(bool v) { verbose_ = v; }
  void set_quiet(bool q) { quiet_ = q; }

  /// A live status line (redrawn in place on a terminal). Without a terminal it is printed only
  /// when `phase` changes, so a log file gets one line per phase, not one per tick.
  void status(std::string_view line, int phase);
  /// Ends the status line (it stays on screen as the last state).
  void end_status();
  /// Total bytes received on the console so far: moves the progress line inside a chunk.
  void wire(uint64_t rx_total);

 private:
  void clear_line();
  void draw(const std::string& line, bool finished);
  std::string progress_line(const Progress& p, std::chrono::steady_clock::time_point now) const;
  std::mutex mu_;
  bool tty_;
  bool verbose_ = false, quiet_ = false;
  bool line_open_ = false;
  std::string stage_;
  std::chrono::steady_clock::time_point start_, last_draw_;
  uint64_t start_done_ = 0;
  Progress last_;              ///< last progress event of the current stage
  bool in_stage_ = false;      ///< a stage is running (not finished)
  uint64_t wire_total_ = 0;    ///< console bytes received so far (wire())
  uint64_t wire_at_last_ = 0;  ///< ... when the last progress event came
  int status_phase_ = -1;
  bool status_open_ = false;
};

/// "1.2 MiB/s"-style rate and "3m07s"-style durations for summaries.
std::string format_rate(double bytes_per_second);
std::string format_duration(double seconds);

}  // namespace camdump::cli
