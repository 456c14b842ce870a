// SPDX-License-Identifier: MIT
// The fast path of the md parser (internal to uboot/, exposed for tests and fuzzing): nearly
// every line of a big log is a full md.b line with an 8-digit address exactly as print_buffer()
// prints it, 75 characters with the 2-space ASCII separator or 77 with 4. A scalar version that
// is the reference, and on x86 an SSSE3 version that must agree with it on every input.
#pragma once
#include <cstdint>
#include <string_view>

#include "uboot/md_format.hpp"

namespace camdump::uboot::detail {

/// 0..15 for a hex digit (either case), 0xff otherwise.
struct HexTable {
  uint8_t v[256];
  constexpr HexTable() : v() {
    for (int i = 0; i < 256; ++i) v[i] = 0xff;
    for (int i = 0; i < 10; ++i) v['0' + i] = static_cast<uint8_t>(i);
    for (int i = 0; i < 6; ++i) {
      v['a' + i] = static_cast<uint8_t>(10 + i);
      v['A' + i] = static_cast<uint8_t>(10 + i);
    }
  }
};
inline constexpr HexTable kHexVal;

/// What the ASCII column shows for each byte value (print_buffer: isprint() ? c : '.').
inline char ascii_of(uint8_t b) { return (b >= 0x20 && b < 0x7f) ? static_cast<char>(b) : '.'; }

/// True and `out` filled (addr, width 1, count 16, bytes, ascii_present) when `line` (without its
/// line end) is such a line with hex, separator and ASCII column all consistent; false otherwise,
/// `out` then untouched.
bool parse_full_md_b_scalar(std::string_view line, MdLine& out);
/// The same with SSE2/SSSE3 instructions; call only when simd_available().
bool parse_full_md_b_simd(std::string_view line, MdLine& out);
bool simd_available();

/// The best of the two this CPU runs.
inline bool parse_full_md_b(std::string_view line, MdLine& out) {
  static const bool simd = simd_available();
  return simd ? parse_full_md_b_simd(line, out) : parse_full_md_b_scalar(line, out);
}

}  // namespace camdump::uboot::detail
