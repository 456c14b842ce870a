// SPDX-License-Identifier: MIT
// Decoders for the text forms a camera shell can print binary data in: base64 lines (busybox
// `base64`, `uuencode -m`), and hex (`hexdump -v -e '16/1 "%02x" "\n"'`, `od -An -v -tx1`).
// Each returns false on a damaged line so the caller re-reads instead of trusting it.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

namespace camdump::shell {

/// Append the bytes of one base64 line (a multiple of 4 characters, '=' padding only at the end).
bool decode_base64_line(std::string_view line, std::vector<uint8_t>& out);
/// Append the bytes of a line of hex digit pairs, spaces between pairs allowed.
bool decode_hex_line(std::string_view line, std::vector<uint8_t>& out);

}  // namespace camdump::shell
