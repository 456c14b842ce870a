// SPDX-License-Identifier: MIT
// Emulated SPI flash chips for the CH341A emulator: a NOR part (RDID, RDSR/2/3, WREN/WRDI,
// EN4B/EX4B with the WREN rule, EAR 0xC5/0xC8, READ/FAST_READ in 3- or 4-byte mode, 0x13/0x0C,
// RDSFDP with a generated JESD216 table, REMS, RES, reset; WRSR, page program 0x02/0x12, erase
// 0x20/0x21, 0x52, 0xD8/0xDC, 0xC7/0x60 with busy time and BP block protection) and a SPI NAND
// part (emu_nand.cpp: READ ID in the part's variant, GET/SET FEATURE, PAGE READ with a busy poll
// and ECC status, READ FROM CACHE append/prepend, factory bad-block marks, PROGRAM LOAD/EXECUTE,
// BLOCK ERASE). Flash physics: a program only clears bits (old AND new), an erase sets a whole
// sector/block to 0xFF, protected or busy parts ignore writes, and the chip counts erases and
// programs. Commands that change state act on CS rising edge, as on real parts. Facts:
// docs/reference/spi-flash-write.md and spi-flash.md.
#pragma once
#include <cstdint>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "spi/chip_table.hpp"

namespace camdump::ch341a {

class SpiSlave {
 public:
  virtual ~SpiSlave() = default;
  virtual void select() = 0;
  /// Full duplex: one MISO byte per MOSI byte, in order, within the current CS frame.
  virtual void clock(std::span<const uint8_t> mosi, std::span<uint8_t> miso) = 0;
  virtual void deselect() = 0;
  virtual std::string describe() const = 0;
  /// The array as it is now, in the layout it was loaded from (for save=FILE).
  virtual std::vector<uint8_t> contents() const = 0;
  struct Counters {
    uint64_t sector_erases = 0;  ///< 4 KiB (NOR)
    uint64_t block_erases = 0;   ///< 32/64 KiB (NOR) or NAND blocks
    uint64_t chip_erases = 0;
    uint64_t page_programs = 0;  ///< program commands that changed the array's state
    uint64_t programmed_bytes = 0;
    uint64_t ignored_writes = 0;  ///< program/erase/WRSR refused (no WEL, busy, protected)
  };
  virtual Counters counters() const = 0;
};

struct NorEmuConfig {
  std::string name;
  uint8_t id[3] = {};
  uint64_t size = 0;
  uint16_t flags = 0;       ///< spi::ChipFlag bits
  int sfdp_encoding = 0;    ///< 0 = bits-1 (bit31=0), 1 = 2^N (bit31=1), -1 = no SFDP
  uint8_t sr1 = 0;          ///< status register 1 at power-up (BP0-2 bits 2-4, TB bit 5)
  std::set<uint64_t> worn;  ///< 4 KiB sectors (by address) that no longer erase (worn out)
};

/// Bytes a Winbond-style status register 1 protects (CMP = 0, SEC = 0): BP2..0 = n protects the
/// top (TB = 0) or bottom (TB = 1) size/64 << (n-1) bytes, n = 7 the whole array. W25Q128JV
/// datasheet, table "Status Register Memory Protection (CMP = 0)"; docs/reference/spi-flash-write.md.
struct ProtectedRange {
  uint64_t begin = 0, end = 0;
  bool contains_any(uint64_t a, uint64_t n) const { return a < end && a + n > begin; }
};
ProtectedRange nor_protected_range(uint8_t sr1, uint64_t size);

/// `image` is the array content (size() bytes; shorter images read as 0xFF past their end).
std::unique_ptr<SpiSlave> make_nor_emu(const NorEmuConfig& cfg, std::vector<uint8_t> image);

struct NandEmuConfig {
  const spi::ChipInfo* chip = nullptr;
  std::set<uint32_t> bad_blocks;      ///< get the factory mark (OOB byte 0 of page 0 = 0x00)
  std::set<uint32_t> ecc_fail_pages;  ///< report "uncorrectable" in 0xC0 when loaded
};

/// `image`: pages * page bytes (OOB generated as 0xFF) or pages * (page + oob) bytes.
std::unique_ptr<SpiSlave> make_nand_emu(const NandEmuConfig& cfg, std::vector<uint8_t> image);

/// The SFDP area the NOR emulator serves (header + one BFPT of 16 DWORDs).
std::vector<uint8_t> make_sfdp_table(uint64_t size, bool four_byte, int encoding);

}  // namespace camdump::ch341a
