// SPDX-License-Identifier: MIT
// Emulated SPI flash chips for the CH341A emulator: a NOR part (RDID, RDSR/2/3, WREN/WRDI,
// EN4B/EX4B with the WREN rule, EAR 0xC5/0xC8, READ/FAST_READ in 3- or 4-byte mode, 0x13/0x0C,
// RDSFDP with a generated JESD216 table, REMS, RES, reset) and a SPI NAND part (READ ID in the
// part's variant, GET/SET FEATURE, PAGE READ with a busy poll and ECC status, READ FROM CACHE
// append/prepend, factory bad-block marks). Commands that change state act on CS rising edge,
// as on real parts. Facts: protocols.md §2 and §3.
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
};

struct NorEmuConfig {
  std::string name;
  uint8_t id[3] = {};
  uint64_t size = 0;
  uint16_t flags = 0;           ///< spi::ChipFlag bits
  int sfdp_encoding = 0;        ///< 0 = bits-1 (bit31=0), 1 = 2^N (bit31=1), -1 = no SFDP
};

/// `image` is the array content (size() bytes; shorter images read as 0xFF past their end).
std::unique_ptr<SpiSlave> make_nor_emu(const NorEmuConfig& cfg, std::vector<uint8_t> image);

struct NandEmuConfig {
  const spi::ChipInfo* chip = nullptr;
  std::set<uint32_t> bad_blocks;    ///< get the factory mark (OOB byte 0 of page 0 = 0x00)
  std::set<uint32_t> ecc_fail_pages;  ///< report "uncorrectable" in 0xC0 when loaded
};

/// `image`: pages * page bytes (OOB generated as 0xFF) or pages * (page + oob) bytes.
std::unique_ptr<SpiSlave> make_nand_emu(const NandEmuConfig& cfg, std::vector<uint8_t> image);

/// The SFDP area the NOR emulator serves (header + one BFPT of 16 DWORDs).
std::vector<uint8_t> make_sfdp_table(uint64_t size, bool four_byte, int encoding);

}  // namespace camdump::ch341a
