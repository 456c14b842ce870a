// SPDX-License-Identifier: MIT
#include "cli/reporter.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <cmath>
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
  auto t = static_cast<uint64_t>(std::llround(s));
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

void StderrReporter::draw(const std::string& line, bool finished) {
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    line_open_ = true;
    if (finished) {
      std::fputc('\n', stderr);
      line_open_ = false;
    }
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

void StderrReporter::log(LogLevel level, std::string_view msg) {
  std::lock_guard g(mu_);
  if (level == LogLevel::Debug && !verbose_) return;
  if (quiet_ && level < LogLevel::Warn) return;
  clear_line();
  const char* tag = level == LogLevel::Warn ? "warning: " : level == LogLevel::Error ? "error: " : "";
  std::fprintf(stderr, "%s%.*s\n", tag, static_cast<int>(msg.size()), msg.data());
  // A live line that was cleared for this message comes back at its next update.
}

std::string StderrReporter::progress_line(const Progress& p, std::chrono::steady_clock::time_point now) const {
  double secs = std::chrono::duration<double>(now - start_).count();
  double rate = secs > 0.05 ? static_cast<double>(p.done - start_done_) / secs : 0;
  std::string line = fmt::format("{}: {}", p.stage, format_size(p.done));
  if (p.total) {
    line += fmt::format(" / {} ({:.1f}%)", format_size(p.total),
                        100.0 * static_cast<double>(p.done) / static_cast<double>(p.total));
  }
  // Bytes of the chunk in flight (md lines or stub frames), so the line moves inside a chunk.
  if (!p.finished && wire_total_ > wire_at_last_)
    line += fmt::format("  +{} on the wire", format_size(wire_total_ - wire_at_last_));
  line += fmt::format("  {}", format_rate(rate));
  if (p.total && rate > 0 && !p.finished && p.done > start_done_)
    line += fmt::format("  ETA {}", format_duration(static_cast<double>(p.total - p.done) / rate));
  if (p.skipped) line += fmt::format("  blank {}", format_size(p.skipped));
  if (p.retries) line += fmt::format("  re-reads {}", p.retries);
  if (p.wire_bytes) line += fmt::format("  wire {}", format_size(p.wire_bytes));
  return line;
}

void StderrReporter::progress(const Progress& p) {
  std::lock_guard g(mu_);
  if (quiet_) return;
  if (status_open_) {  // the first progress ends a waiting line
    status_open_ = false;
    if (line_open_ && tty_) {
      std::fputc('\n', stderr);
      line_open_ = false;
    }
  }
  auto now = std::chrono::steady_clock::now();
  if (p.stage != stage_) {
    stage_ = p.stage;
    start_ = now;
    start_done_ = p.done;
    last_draw_ = {};
  }
  last_ = p;
  in_stage_ = !p.finished;
  wire_at_last_ = wire_total_;
  const auto interval = tty_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(5000);
  if (!p.finished && now - last_draw_ < interval) return;
  last_draw_ = now;
  draw(progress_line(p, now), p.finished);
}

void StderrReporter::wire(uint64_t rx_total) {
  std::lock_guard g(mu_);
  wire_total_ = rx_total;
  if (quiet_ || !in_stage_ || status_open_) return;
  auto now = std::chrono::steady_clock::now();
  const auto interval = tty_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(5000);
  if (now - last_draw_ < interval) return;
  last_draw_ = now;
  draw(progress_line(last_, now), false);
}

void StderrReporter::status(std::string_view line, int phase) {
  std::lock_guard g(mu_);
  if (quiet_) return;
  const bool changed = phase != status_phase_;
  status_phase_ = phase;
  status_open_ = true;
  if (!tty_ && !changed) return;
  auto now = std::chrono::steady_clock::now();
  if (tty_ && !changed && now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  draw(std::string(line), false);
}

void StderrReporter::end_status() {
  std::lock_guard g(mu_);
  if (!status_open_) return;
  status_open_ = false;
  status_phase_ = -1;
  if (line_open_ && tty_) {
    std::fputc('\n', stderr);
    line_open_ = false;
  }
  last_draw_ = {};
}

}  // namespace camdump::cli
