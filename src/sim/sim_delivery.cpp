// SPDX-License-Identifier: MIT
// The virtual camera's delivery path to the host: the virtual clock (10 bit times per byte at the
// console rate, read timeouts jump to the next event), stalls, reset-after, a host at the wrong
// rate (garbage), and noise (LineNoise, sim_line_noise.hpp).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "sim/sim_machine.hpp"

namespace camdump::sim {

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
  const double deadline = clock_.now() + std::max(timeout_s, 0.001);
  for (int guard = 0; guard < 100000; ++guard) {
    fire_events();
    pump(buf.size());
    const bool stalled = clock_.now() < stall_until_;
    if (tx_.queued() > 0 && !stalled) {
      size_t got = take(buf);
      if (got > 0) return got;
      continue;  // everything was dropped by noise: keep going
    }
    // Nothing to deliver now: jump the virtual clock to the next event within the timeout.
    double next = 1e300;
    if (stalled) next = stall_until_;
    if (clock_.wake_pending()) next = std::min(next, clock_.wake_time());
    if (mode_ == Mode::Job && job_.job().ready_at > clock_.now()) next = std::min(next, job_.job().ready_at);
    if (next > deadline) {
      clock_.advance_to(deadline);
      return 0;
    }
    clock_.advance_to(next);
  }
  return 0;
}

// A read on a real port returns what has arrived by the time the first bytes are there: USB
// serial adapters hand bytes over in small batches (FTDI's latency timer: 16 ms by default), not
// a whole buffer. With baud timing a read therefore carries at most 16 ms of the line, so a host
// reading in big buffers is not charged seconds of line time (a reboot's whole autoboot countdown)
// by one read.
constexpr double kReadBatchSeconds = 0.016;

size_t Machine::take(std::span<uint8_t> buf) {
  size_t n = std::min(buf.size(), tx_.queued());
  if (opt_.baud_timing && uart_baud_ > 0)
    n = std::min(n, std::max<size_t>(1, static_cast<size_t>(kReadBatchSeconds * uart_baud_ / 10.0)));
  const uint64_t sent = tx_.delivered();
  bool reset_now = false;
  if (opt_.reset_after && !reset_done_ && sent + n >= opt_.reset_after) {
    n = static_cast<size_t>(opt_.reset_after - sent);
    reset_now = true;
  }
  if (opt_.stall_every && sent + n >= next_stall_) {
    n = static_cast<size_t>(next_stall_ - sent);
    next_stall_ += opt_.stall_every;
    stall_until_ = clock_.now() + VirtualClock::wire_time(n, uart_baud_) + double(opt_.stall_ms) / 1000.0;
  }
  size_t produced = deliver(buf.data(), buf.size(), tx_.next(), n);
  tx_.consume(n);
  stats_.output_bytes += n;
  if (opt_.baud_timing) clock_.advance(VirtualClock::wire_time(n, uart_baud_));
  apply_baud_switch();
  if (reset_now) {
    reset_done_ = true;
    tx_.drop_queued();
    boot();
  }
  return produced;
}

}  // namespace camdump::sim
