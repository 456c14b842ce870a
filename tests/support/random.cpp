// SPDX-License-Identifier: MIT
#include "support/random.hpp"

#include <random>

namespace camdump::test {

std::vector<uint8_t> random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

}  // namespace camdump::test
