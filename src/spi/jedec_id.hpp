// SPDX-License-Identifier: MIT
// What a JEDEC ID says about the wiring before it says anything about the chip: all 0x00 (MISO
// held low), all 0xFF (MISO floating: no power, CS or clip contact), or a known ID shifted by one
// bit (clock edge / long wires) or one byte (an extra or missing dummy byte). Also the fallback
// size from the capacity byte (docs/reference/spi-flash.md#rdid: 2^N bytes; 512 Mbit Winbond/XMC 0x20).
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace camdump::spi {

/// One-line warnings (empty when the ID looks like a real answer).
std::vector<std::string> wiring_warnings(std::span<const uint8_t> id);
/// Size from the RDID capacity byte, when it is in the plausible range (64 KiB .. 256 MiB).
std::optional<uint64_t> size_from_capacity_byte(uint8_t capacity);
/// True when every byte is 0x00 or every byte is 0xFF.
bool id_is_blank(std::span<const uint8_t> id);

}  // namespace camdump::spi
