// SPDX-License-Identifier: MIT
// CRC-32 as U-Boot's `crc32` command and uImage headers compute it: zlib/IEEE 802.3
// (reflected poly 0xEDB88320, init and xorout 0xFFFFFFFF; U-Boot lib/crc32.c). Backed by zlib.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>

namespace camdump {

/// CRC-32 of `data`, continuing from `crc` (0 to start), like zlib's crc32().
uint32_t crc32(std::span<const uint8_t> data, uint32_t crc = 0) noexcept;
/// CRC-32 of A||B from crc(A), crc(B) and len(B).
uint32_t crc32_combine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b) noexcept;
/// CRC-32 of `count` copies of `byte` (e.g. a blank 0xff chunk), without allocating `count` bytes.
uint32_t crc32_fill(uint8_t byte, uint64_t count) noexcept;
/// Linux crc32_le(0, ...) as JFFS2 uses it: seed 0, no pre/post inversion.
uint32_t crc32_jffs2(std::span<const uint8_t> data) noexcept;

}  // namespace camdump
