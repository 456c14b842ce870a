// SPDX-License-Identifier: MIT
// Renders library progress and logs on stderr: one live line with rate and ETA on a terminal,
// a line every few seconds otherwise. Never writes to stdout (stdout is for results and JSON).
#pragma once
#include <chrono>
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

 private:
  void clear_line();
  bool tty_;
  bool verbose_ = false, quiet_ = false;
  bool line_open_ = false;
  std::string stage_;
  std::chrono::steady_clock::time_point start_, last_draw_;
  uint64_t start_done_ = 0;
};

/// "1.2 MiB/s"-style rate and "3m07s"-style durations for summaries.
std::string format_rate(double bytes_per_second);
std::string format_duration(double seconds);

}  // namespace camdump::cli
