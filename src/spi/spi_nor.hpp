// SPDX-License-Identifier: MIT
// SPI NOR reads over a SpiMaster (docs/reference/spi-flash.md): RDID, SFDP, and array reads. Chips up to
// 16 MiB are read with 0x03 + 3 address bytes; larger chips with 0x13 + 4 address bytes, which
// works in either address mode, so the chip's mode is never changed. Parts without 0x13 enter
// 4-byte mode (WREN first where the part needs it) and leave it again in the destructor, so the
// chip is never left in 4-byte mode for the SoC's boot ROM.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "spi/sfdp.hpp"
#include "spi/spi_master.hpp"

namespace camdump::spi {

namespace nor_op {  // flashrom include/spi.h
inline constexpr uint8_t kRdid = 0x9F, kRdsr = 0x05, kRead = 0x03, kRead4b = 0x13, kWren = 0x06, kEn4b = 0xB7,
                         kEx4b = 0xE9, kRdsfdp = 0x5A, kWrear = 0xC5;
}

/// RDID: the first `n` bytes answered to 0x9F.
std::vector<uint8_t> read_jedec_id(SpiMaster& m, size_t n = 3);
/// Read `out.size()` bytes of the SFDP area at `addr` (5A A23..A0 dummy).
void read_sfdp_bytes(SpiMaster& m, uint32_t addr, std::span<uint8_t> out);
/// Header + BFPT through the master; nullopt when the chip has no (valid) SFDP.
std::optional<SfdpInfo> read_sfdp(SpiMaster& m);

class SpiNor {
 public:
  /// `flags`: ChipFlag bits of the part (kNoRead4b, kWrenBeforeEn4b).
  SpiNor(SpiMaster& m, uint64_t size, uint16_t flags = 0);
  ~SpiNor();
  SpiNor(const SpiNor&) = delete;
  SpiNor& operator=(const SpiNor&) = delete;

  /// Read `out.size()` bytes at `addr`, in as few transfers as the master allows.
  void read(uint64_t addr, std::span<uint8_t> out);
  /// Largest read per transfer, a multiple of 4 KiB when the master allows at least that.
  size_t chunk() const { return chunk_; }
  uint64_t size() const { return size_; }
  bool four_byte() const { return size_ > (uint64_t(1) << 24); }

 private:
  void enter_4b();
  void leave_4b() noexcept;
  SpiMaster& m_;
  uint64_t size_;
  uint16_t flags_;
  size_t chunk_;
  bool in_4b_mode_ = false;
};

}  // namespace camdump::spi
