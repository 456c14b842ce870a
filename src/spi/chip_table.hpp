// SPDX-License-Identifier: MIT
// SPI NOR and SPI NAND parts as data: JEDEC IDs, sizes, page/OOB geometry, how the part wants to
// be addressed. Facts from docs/reference/spi-flash.md#nor-chips (flashrom flashchips, U-Boot
// spi-nor-ids.c, uboot-ingenic jz_spi.h, SNANDer) and #nand-chips (SNANDer spi_nand_flash_tables).
// Names are the markings people read off the package, matched case-insensitively.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace camdump::spi {

enum class ChipKind : uint8_t { Nor, Nand };

/// How a SPI-NAND part answers READ ID (docs/reference/spi-flash.md#nand-probe).
enum class NandIdMode : uint8_t {
  AddrByte,   ///< 9F 00 -> mfr dev dev2
  Direct,     ///< 9F -> mfr dev (GigaDevice "type C")
  DummyFirst  ///< 9F -> dummy mfr dev (Toshiba/Kioxia)
};

/// Where the ECC "uncorrectable" value sits in status register 0xC0 (docs/reference/spi-flash.md#nand-ecc).
enum class NandEcc : uint8_t {
  Bits54Eq2,    ///< ((st & 0x30) >> 4) == 2: Winbond, MXIC, most
  Bits654Eq7,   ///< ((st & 0x70) >> 4) == 7: GD5FxGQ4UC, FM25G0xB, XT26G02B, Foresee
  Bits654Eq2,   ///< ((st & 0x70) >> 4) == 2: Micron
  Bits5432Eq8,  ///< ((st & 0x3C) >> 2) == 8: XT26G01A
  Bits7654EqF,  ///< ((st & 0xF0) >> 4) == 0xF: XT26G01C
};

enum ChipFlag : uint16_t {
  kWrenBeforeEn4b = 1 << 0,  ///< FEATURE_4BA_ENTER_WREN (W25Q256FV, XM25QH256C)
  kNoRead4b = 1 << 1,        ///< no native 0x13: use EN4B + 0x03 with 4 address bytes
  kCachePrepend = 1 << 2,    ///< NAND read-from-cache: 03 dummy CA CA (GD5F1GQ4UC)
  kTwoPlanes = 1 << 3,       ///< NAND plane select in column bit 12 (MX35LF2G)
  kEcc90 = 1 << 4,           ///< NAND ECC enable in feature 0x90 bit4 instead of 0xB0
};

struct ChipInfo {
  std::string_view names;  ///< '|'-separated markings; the first is the display name
  std::string_view vendor;
  ChipKind kind;
  uint8_t id[3];
  uint8_t id_len;  ///< bytes of `id` that must match (2 or 3)
  uint64_t size;   ///< bytes (NAND: data area only)
  uint16_t flags = 0;
  uint32_t page = 0, oob = 0;  ///< NAND page and spare sizes
  uint32_t pages_per_block = 64;
  NandIdMode id_mode = NandIdMode::AddrByte;
  NandEcc ecc = NandEcc::Bits54Eq2;

  std::string_view name() const { return names.substr(0, names.find('|')); }
  bool has(ChipFlag f) const { return (flags & f) != 0; }
  uint64_t block_size() const { return uint64_t(page) * pages_per_block; }
};

/// The whole table.
std::span<const ChipInfo> chip_table();
/// Part by marking ("xm25qh128c", "W25Q128JVSIQ", "MX25L12835F"): exact match of a marking
/// (ignoring case, spaces and '-'), else the longest marking the name starts with.
const ChipInfo* find_chip_by_name(std::string_view name);
/// NOR part whose ID matches `id` (≥3 bytes). Zbit parts also answer 0x0E (docs/reference/spi-flash.md#nor-chips).
const ChipInfo* find_nor_by_id(std::span<const uint8_t> id);
/// NAND part matching (mfr, dev[, dev2]).
const ChipInfo* find_nand_by_id(uint8_t mfr, uint8_t dev, uint8_t dev2);
/// "W25Q128BV/FV/JV-IQ..." style list of all markings of a part, for --help and errors.
std::string chip_names(const ChipInfo& c);
/// JEDEC ID as people print it: "EF 40 18".
std::string id_string(std::span<const uint8_t> id);

}  // namespace camdump::spi
