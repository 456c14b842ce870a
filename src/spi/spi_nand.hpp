// SPDX-License-Identifier: MIT
// SPI NAND reads over a SpiMaster, as SNANDer does them (protocols.md §3): READ ID in three
// variants, unlock + on-die ECC on, PAGE READ (0x13) into the cache, poll OIP, ECC status from
// feature 0xC0 per page, READ FROM CACHE (0x03) with the column after (append) or before
// (prepend) the dummy byte; bad blocks from the factory mark (first OOB byte of a block's first
// page != 0xFF).
#pragma once
#include <cstdint>
#include <optional>
#include <span>

#include "spi/chip_table.hpp"
#include "spi/spi_master.hpp"

namespace camdump::spi {

namespace nand_op {  // SNANDer _SPI_NAND_OP_*
inline constexpr uint8_t kReadId = 0x9F, kGetFeature = 0x0F, kSetFeature = 0x1F, kPageRead = 0x13,
                         kReadCache = 0x03, kReset = 0xFF;
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
  uint32_t page_size() const { return chip_.page; }
  uint32_t oob_size() const { return chip_.oob; }
  uint32_t pages() const { return uint32_t(chip_.size / chip_.page); }
  const ChipInfo& chip() const { return chip_; }

 private:
  uint8_t get_feature(uint8_t reg);
  void set_feature(uint8_t reg, uint8_t value);
  SpiMaster& m_;
  const ChipInfo& chip_;
};

}  // namespace camdump::spi
