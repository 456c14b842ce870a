// SPDX-License-Identifier: MIT
// Internal to the virtual camera: the noise on its TX line (noise=, noise-fast=). With
// probability p per character a drop, a flipped bit or a spurious character (one third each); the
// gaps between events are drawn geometrically so clean runs are copied whole. Also the garbage a
// host UART at the wrong rate samples. Reproducible per seed=.
#pragma once
#include <cstddef>
#include <cstdint>
#include <random>

namespace camdump::sim {

class LineNoise {
 public:
  LineNoise(uint64_t seed, double rate);
  /// Copies `n` bytes from `src` to `dst` (room for `cap` >= n bytes) through the noise at error
  /// rate `p`; returns the bytes produced and counts the events in `events`.
  size_t apply(uint8_t* dst, size_t cap, const char* src, size_t n, double p, uint64_t& events);
  /// What a receiver at the wrong rate reads instead of `n` characters.
  void garbage(uint8_t* dst, size_t n);

 private:
  void schedule(double p);
  std::mt19937_64 rng_;
  uint64_t next_ = 0;     ///< clean bytes before the next event
  double scheduled_for_;  ///< the error rate next_ was drawn for
};

}  // namespace camdump::sim
