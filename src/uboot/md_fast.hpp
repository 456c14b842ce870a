// SPDX-License-Identifier: MIT
// The fast path of the md parser (internal to uboot/, exposed for tests and fuzzing): nearly
// every line of a big log is a full md.b line with an 8-digit address exactly as print_buffer()
// prints it, 75 characters with the 2-space ASCII separator or 77 with 4. A scalar version that
// is the reference, and on x86 an SSSE3 version that must agree with it on every input.
#pragma once
#include <cstdint>
#include <string_view>

#include "core/hex_digit.hpp"
#include "uboot/md_format.hpp"

namespace camdump::uboot::detail {

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
