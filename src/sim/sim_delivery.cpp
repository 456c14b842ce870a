// SPDX-License-Identifier: MIT
// The virtual camera's delivery path to the host: the virtual clock (10 bit times per byte at the
// console rate, read timeouts jump to the next event), stalls, reset-after, a host at the wrong
// rate (garbage), and noise (LineNoise, sim_line_noise.hpp).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "sim/sim_machine.hpp"

namespace camdump::sim {
namespace {

constexpr size_t kCompactAt = 1 << 20;  // drop printed output once this much has been read

}  // namespace

// noise-fast= applies while a stub runs the UART above the console's power-on rate (issue 18).
double Machine::noise_now() const { return opt_.noise_fast && uart_baud_ > opt_.baud ? *opt_.noise_fast : opt_.noise; }

size_t Machine::deliver(uint8_t* dst, size_t cap, const char* src, size_t n) {
  if (host_baud_ != uart_baud_) {
    noise_.garbage(dst, n);  // wrong rate: the host's UART samples garbage
    return n;
  }
  return noise_.apply(dst, cap, src, n, noise_now(), stats_.noise_events);
}

size_t Machine::host_read(std::span<uint8_t> buf, double timeout_s) {
  if (buf.empty()) return 0;
  const double deadline = now_ + std::max(timeout_s, 0.001);
  for (int guard = 0; guard < 100000; ++guard) {
    fire_events();
    pump(buf.size());
    const bool stalled = now_ < stall_until_;
    if (out_.size() > out_pos_ && !stalled) {
      size_t got = take(buf);
      if (got > 0) return got;
      continue;  // everything was dropped by noise: keep going
    }
    // Nothing to deliver now: jump the virtual clock to the next event within the timeout.
    double next = 1e300;
    if (stalled) next = stall_until_;
    if (wake_at_ >= 0) next = std::min(next, wake_at_);
    if (mode_ == Mode::Job && job_->ready_at > now_) next = std::min(next, job_->ready_at);
    if (next > deadline) {
      now_ = std::max(now_, deadline);
      return 0;
    }
    now_ = std::max(now_, next);
  }
  return 0;
}

size_t Machine::take(std::span<uint8_t> buf) {
  size_t n = std::min(buf.size(), out_.size() - out_pos_);
  bool reset_now = false;
  if (opt_.reset_after && !reset_done_ && delivered_ + n >= opt_.reset_after) {
    n = static_cast<size_t>(opt_.reset_after - delivered_);
    reset_now = true;
  }
  if (opt_.stall_every && delivered_ + n >= next_stall_) {
    n = static_cast<size_t>(next_stall_ - delivered_);
    next_stall_ += opt_.stall_every;
    stall_until_ = now_ + n * 10.0 / uart_baud_ + opt_.stall_ms / 1000.0;
  }
  size_t produced = deliver(buf.data(), buf.size(), out_.data() + out_pos_, n);
  out_pos_ += n;
  delivered_ += n;
  stats_.output_bytes += n;
  if (opt_.baud_timing) now_ += n * 10.0 / uart_baud_;  // 8N1: 10 bit times per character
  apply_baud_switch();
  if (out_pos_ >= kCompactAt && out_pos_ * 2 >= out_.size()) {
    out_.erase(0, out_pos_);
    out_pos_ = 0;
  }
  if (reset_now) {
    reset_done_ = true;
    out_.clear();
    out_pos_ = 0;
    boot();
  }
  return produced;
}

}  // namespace camdump::sim
