// SPDX-License-Identifier: MIT
// Helpers of the hexlog tests: the md text U-Boot prints for some bytes (random ones: random_bytes).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "support/random.hpp"
#include "uboot/md_format.hpp"

namespace camdump::test {

/// What `md.<w> addr` prints for `d` (CR LF line ends).
inline std::string md_text(const std::vector<uint8_t>& d, uint64_t addr, unsigned w, uboot::MdDialect dia,
                           uboot::Endian e = uboot::Endian::Little, bool pad = true) {
  std::string s;
  uboot::MdRenderOptions o{w, dia, e, pad, true};
  uboot::render_md(s, d, addr, o);
  return s;
}

}  // namespace camdump::test
