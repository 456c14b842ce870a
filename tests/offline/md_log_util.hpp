// SPDX-License-Identifier: MIT
// Helpers of the hexlog tests: random image bytes and the md text U-Boot prints for them.
#pragma once
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "uboot/md_format.hpp"

namespace camdump::test {

inline std::vector<uint8_t> pattern(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

/// What `md.<w> addr` prints for `d` (CR LF line ends).
inline std::string md_text(const std::vector<uint8_t>& d, uint64_t addr, unsigned w, uboot::MdDialect dia,
                           uboot::Endian e = uboot::Endian::Little, bool pad = true) {
  std::string s;
  uboot::MdRenderOptions o{w, dia, e, pad, true};
  uboot::render_md(s, d, addr, o);
  return s;
}

}  // namespace camdump::test
