// SPDX-License-Identifier: MIT
// SPI NAND reads over a SpiMaster, as SNANDer does them (docs/reference/spi-flash.md#nand-opcodes): READ ID in three
// variants, unlock + on-die ECC on, PAGE READ (0x13) into the cache, poll OIP, ECC status from
// feature 0xC0 per page, READ FROM CACHE (0x03) with the column after (append) or before
// (prepend) the dummy byte; bad blocks from the factory mark (first OOB byte of a block's first
// page != 0xFF). Writing as SNANDer does it: WREN, PROGRAM LOAD + PROGRAM EXECUTE per page,
// BLOCK ERASE, E-FAIL / P-FAIL from status 0xC0 (docs/reference/spi-flash-write.md#nand-write).
#pragma once
#include <cstdint>
#include <optional>
#include <span>

#include "spi/chip_table.hpp"
#include "spi/spi_master.hpp"

namespace camdump::spi {

namespace nand_op {  // SNANDer _SPI_NAND_OP_*
inline constexpr uint8_t kReadId = 0x9F, kGetFeature = 0x0F, kSetFeature = 0x1F, kPageRead = 0x13, kReadCache = 0x03,
                         kReset = 0xFF, kWren = 0x06, kProgramLoad = 0x02, kProgramExecute = 0x10, kBlockErase = 0xD8;
inline constexpr uint8_t kRegProtect = 0xA0, kRegFeature = 0xB0, kRegStatus = 0xC0, kRegEcc90 = 0x90;
}  // namespace nand_op

enum class EccState : uint8_t { Ok, Corrected, Failed };

/// Decode the ECC field of status register 0xC0 for a part's scheme (SNANDer ecc_fail_check).
EccState decode_ecc_status(NandEcc scheme, uint8_t status);

struct NandId {
  const ChipInfo* chip = nullptr;
  uint8_t bytes[3] = {};
  NandIdMode mode = NandIdMode::AddrByte;
};

/// Try the three READ ID variants; the first one the table knows wins.
std::optional<NandId> probe_nand(SpiMaster& m);

class SpiNand {
 public:
  SpiNand(SpiMaster& m, const ChipInfo& chip);
  /// Unlock the protection register and turn on-die ECC on.
  void init();
  /// Read page `page` (data + OOB, page()+oob() bytes) into `out`; returns its ECC state.
  EccState read_page(uint32_t page, std::span<uint8_t> out);
  /// On-die ECC on or off (off to write and read the spare area raw).
  void set_ecc(bool on);
  /// WREN + BLOCK ERASE (0xD8 + page address of the block), wait; false when E-FAIL is reported.
  bool erase_block(uint32_t block);
  /// WREN + PROGRAM LOAD (column 0; the rest of the buffer reads 0xFF) + PROGRAM EXECUTE, wait;
  /// `data` is the page, or page + spare. False when P-FAIL is reported.
  bool program_page(uint32_t page, std::span<const uint8_t> data);
  uint32_t page_size() const { return chip_.page; }
  uint32_t oob_size() const { return chip_.oob; }
  uint32_t pages() const { return uint32_t(chip_.size / chip_.page); }
  const ChipInfo& chip() const { return chip_; }

 private:
  uint8_t get_feature(uint8_t reg);
  void set_feature(uint8_t reg, uint8_t value);
  uint8_t wait_ready(uint32_t page, const char* what);
  uint16_t plane_column(uint32_t page) const;
  SpiMaster& m_;
  const ChipInfo& chip_;
};

}  // namespace camdump::spi
