// SPDX-License-Identifier: MIT
// Hex-digit decoding, written once for the tree: the md parsers (scalar, SIMD reference, general),
// the shell's hex dumps, kernel memparse() numbers and the virtual camera's simple_strtoul(). A
// 256-entry table because the md parser reads it for every character of a multi-megabyte log.
#pragma once
#include <cstdint>

namespace camdump {

/// What hex_digit() returns for a character that is not a hex digit (≥ 16, so `hex_digit(c) < base`
/// also tests a digit of any base up to 16).
inline constexpr uint8_t kNotHex = 0xff;

namespace detail {
struct HexDigitTable {
  uint8_t v[256];
  constexpr HexDigitTable() : v() {
    for (auto& e : v) e = kNotHex;
    for (int i = 0; i < 10; ++i) v['0' + i] = static_cast<uint8_t>(i);
    for (int i = 0; i < 6; ++i) {
      v['a' + i] = static_cast<uint8_t>(10 + i);
      v['A' + i] = static_cast<uint8_t>(10 + i);
    }
  }
};
inline constexpr HexDigitTable kHexDigits;
}  // namespace detail

/// 0..15 for a hex digit of either case, kNotHex otherwise.
constexpr uint8_t hex_digit(unsigned char c) { return detail::kHexDigits.v[c]; }
constexpr uint8_t hex_digit(char c) { return hex_digit(static_cast<unsigned char>(c)); }

}  // namespace camdump
