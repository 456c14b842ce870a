// SPDX-License-Identifier: MIT
// The virtual camera's line noise (see sim_line_noise.hpp).
#include "sim/sim_line_noise.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace camdump::sim {

LineNoise::LineNoise(uint64_t seed, double rate) : rng_(seed), scheduled_for_(rate) { schedule(rate); }

void LineNoise::schedule(double p) {
  if (p <= 0) return;
  std::uniform_real_distribution<double> u(0.0, 1.0);
  double x = 1.0 - u(rng_);  // (0, 1]
  double gap = std::floor(std::log(x) / std::log1p(-p));
  next_ = gap > 1e15 ? uint64_t{1} << 50 : static_cast<uint64_t>(gap);
}

void LineNoise::garbage(uint8_t* dst, size_t n) {
  for (size_t i = 0; i < n; ++i) dst[i] = static_cast<uint8_t>(rng_() | 0x80);  // framing errors
}

size_t LineNoise::apply(uint8_t* dst, size_t cap, const char* src, size_t n, double p, uint64_t& events) {
  size_t produced = 0, i = 0;
  if (p > 0 && p != scheduled_for_) {  // the rate (and so the error rate) changed
    scheduled_for_ = p;
    schedule(p);
  }
  while (i < n) {
    size_t run = p > 0 ? static_cast<size_t>(std::min<uint64_t>(next_, n - i)) : n - i;
    std::memcpy(dst + produced, src + i, run);
    produced += run;
    i += run;
    if (p <= 0) break;
    next_ -= run;
    if (i == n) break;
    ++events;
    unsigned kind = static_cast<unsigned>(rng_() % 3);
    if (kind == 2 && produced + (n - i) + 1 > cap) kind = 1;
    if (kind == 0) {
      ++i;  // dropped
    } else if (kind == 1) {
      dst[produced++] = static_cast<uint8_t>(src[i++] ^ (1 << (rng_() % 8)));  // one bit flipped
    } else {
      dst[produced++] = static_cast<uint8_t>(0x20 + rng_() % 95);  // a spurious character
    }
    schedule(p);
  }
  return produced;
}

}  // namespace camdump::sim
