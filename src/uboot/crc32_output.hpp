// SPDX-License-Identifier: MIT
// Pure reader for U-Boot `crc32` output, both forms of common/hash.c (docs/reference/uboot-console.md#crc32):
// single-hash "CRC32 for 80600000 ... 806fffff ==> 1a2b3c4d" and multi-hash lowercase
// "crc32 for ...". Matched case-insensitively; the end address is addr+len-1.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace camdump::uboot {

struct Crc32Reply {
  uint64_t start = 0, end = 0;  ///< inclusive range as printed
  uint32_t crc = 0;
};

/// One line; nullopt when it is not a well-formed crc32 result.
std::optional<Crc32Reply> parse_crc32_line(std::string_view line);
/// The result for exactly [addr, addr+len) among `lines`; nullopt when absent or damaged.
std::optional<uint32_t> find_crc32(std::span<const std::string> lines, uint64_t addr, uint64_t len);

}  // namespace camdump::uboot
