// SPDX-License-Identifier: MIT
// Parsing and printing of sizes, addresses and CRC values as the CLI conventions define them:
// sizes take 0x..., decimal or K/M/G (binary, optional "iB"); addresses hex or decimal;
// CRC values hex with optional 0x; offsets print in hex.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace camdump {

/// "16M", "16MiB", "16m", "0x1000000", "16777216", "64K", "1G" -> bytes. nullopt on garbage/overflow.
std::optional<uint64_t> parse_size(std::string_view text);
/// "0x80600000" or "2153775104" -> value. nullopt on garbage/overflow.
std::optional<uint64_t> parse_number(std::string_view text);
/// Plain hex without prefix ("80600000") -> value, as U-Boot prints and takes it.
std::optional<uint64_t> parse_hex(std::string_view text);
/// "0x1a2b3c4d" or "1A2B3C4D" -> CRC; at most 8 hex digits.
std::optional<uint32_t> parse_crc(std::string_view text);

/// Same as parse_size / parse_number, but throw Error(Usage) naming `what` on bad input.
uint64_t size_arg(std::string_view what, std::string_view text);
uint64_t number_arg(std::string_view what, std::string_view text);

/// A byte range [offset, offset + length) checked against `limit` (the flash size) without
/// wrapping: `offset + length` is never computed until both are known to fit, so a length near
/// 2^64 cannot wrap past the check. Throws Error(Usage) naming `what` ("dump range") otherwise.
/// length 0 is refused too: a range must hold at least one byte.
struct ByteRange {
  uint64_t offset = 0;
  uint64_t length = 0;
  uint64_t end() const { return offset + length; }
};
ByteRange checked_range(uint64_t offset, uint64_t length, uint64_t limit, std::string_view what = "range");

/// 16777216 -> "16 MiB", 1536 -> "1.5 KiB", 100 -> "100 bytes".
std::string format_size(uint64_t bytes);
/// 0x50000 style; `digits` pads with zeros.
std::string hex(uint64_t value, int digits = 0);
/// 8 lowercase hex digits, no prefix (how U-Boot prints CRCs).
std::string crc_hex(uint32_t crc);

}  // namespace camdump
