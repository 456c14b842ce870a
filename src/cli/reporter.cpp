// SPDX-License-Identifier: MIT
#include "cli/reporter.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>

#include "core/size.hpp"

namespace camdump::cli {

StderrReporter::StderrReporter() : tty_(::isatty(STDERR_FILENO) == 1) {}

std::string format_rate(double bps) {
  if (bps <= 0) return "-";
  if (bps >= 1024.0 * 1024) return fmt::format("{:.1f} MiB/s", bps / (1024.0 * 1024));
  if (bps >= 1024.0) return fmt::format("{:.1f} KiB/s", bps / 1024.0);
  return fmt::format("{:.0f} B/s", bps);
}

std::string format_duration(double s) {
  if (s < 0) s = 0;
  auto t = static_cast<uint64_t>(s + 0.5);
  if (t >= 3600) return fmt::format("{}h{:02}m", t / 3600, (t % 3600) / 60);
  if (t >= 60) return fmt::format("{}m{:02}s", t / 60, t % 60);
  if (s < 10) return fmt::format("{:.1f}s", s);
  return fmt::format("{}s", t);
}

void StderrReporter::clear_line() {
  if (line_open_) {
    std::fputs("\r\033[K", stderr);
    line_open_ = false;
  }
}

void StderrReporter::log(LogLevel level, std::string_view msg) {
  if (level == LogLevel::Debug && !verbose_) return;
  if (quiet_ && level < LogLevel::Warn) return;
  clear_line();
  const char* tag = level == LogLevel::Warn ? "warning: " : level == LogLevel::Error ? "error: " : "";
  std::fprintf(stderr, "%s%.*s\n", tag, static_cast<int>(msg.size()), msg.data());
}

void StderrReporter::progress(const Progress& p) {
  if (quiet_) return;
  auto now = std::chrono::steady_clock::now();
  if (p.stage != stage_) {
    stage_ = p.stage;
    start_ = now;
    start_done_ = p.done;
    last_draw_ = {};
  }
  const auto interval = tty_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(5000);
  if (!p.finished && now - last_draw_ < interval) return;
  last_draw_ = now;
  double secs = std::chrono::duration<double>(now - start_).count();
  double rate = secs > 0.05 ? static_cast<double>(p.done - start_done_) / secs : 0;
  std::string line = fmt::format("{}: {}", p.stage, format_size(p.done));
  if (p.total) {
    line += fmt::format(" / {} ({:.1f}%)", format_size(p.total), 100.0 * static_cast<double>(p.done) / static_cast<double>(p.total));
  }
  line += fmt::format("  {}", format_rate(rate));
  if (p.total && rate > 0 && !p.finished)
    line += fmt::format("  ETA {}", format_duration(static_cast<double>(p.total - p.done) / rate));
  if (p.skipped) line += fmt::format("  blank {}", format_size(p.skipped));
  if (p.retries) line += fmt::format("  re-reads {}", p.retries);
  if (p.wire_bytes) line += fmt::format("  wire {}", format_size(p.wire_bytes));
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    line_open_ = true;
    if (p.finished) {
      std::fputc('\n', stderr);
      line_open_ = false;
    }
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

}  // namespace camdump::cli
