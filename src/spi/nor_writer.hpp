// SPDX-License-Identifier: MIT
// Erasing and programming a SPI NOR chip over a SpiMaster: WREN, sector (0x20, 4 KiB) or block
// (0xD8, 64 KiB) erase, 256-byte page program (0x02), WIP polling with a time bound, and the
// status-register block protection (BP bits of SR1) read, cleared and put back. Chips over
// 16 MiB are written in 4-byte address mode (WREN + B7, which both the parts that need WREN and
// those that do not accept; flashrom FEATURE_4BA_ENTER(_WREN)), confirmed by a read before any
// write, and left again (WREN + E9) when the writer goes away. Facts and sources:
// docs/reference/spi-flash-write.md.
#pragma once
#include <chrono>
#include <cstdint>
#include <span>

#include "spi/spi_master.hpp"

namespace camdump::spi {

namespace nor_op {  // W25Q128JV datasheet instruction table (docs/reference/spi-flash-write.md)
inline constexpr uint8_t kWrsr = 0x01, kPageProgram = 0x02, kWrdi = 0x04, kRdsr2 = 0x35, kSectorErase = 0x20,
                         kBlockErase = 0xD8;
}

/// Status register 1 bits (W25Q128JV "Status Register-1"; Macronix MX25L12835F has BP3 at bit 5).
inline constexpr uint8_t kSrBusy = 0x01, kSrWel = 0x02;

class NorWriter {
 public:
  /// `jedec_mfr` selects the status-register dialect (Macronix 0xC2 and EON 0x1C write SR1 alone;
  /// the others write SR1 + SR2 so that QE in SR2 is kept).
  NorWriter(SpiMaster& m, uint64_t size, uint8_t jedec_mfr);
  ~NorWriter();
  NorWriter(const NorWriter&) = delete;
  NorWriter& operator=(const NorWriter&) = delete;

  uint8_t read_status();
  /// BP bits that protect blocks (0x1C, Macronix 0x3C): non-zero = some blocks refuse writes.
  uint8_t protection_bits(uint8_t sr1) const { return sr1 & bp_mask_; }
  /// Write SR1 (keeping SR2 where the part has one) and check it took. Throws Error(Protocol)
  /// naming what the chip kept (SRP with WP# low, or a one-time lock).
  void write_status(uint8_t sr1);

  /// For chips over 16 MiB: enter 4-byte mode and check it with a read of `check_len` bytes at
  /// `check_addr` by 0x03 (4 address bytes) against 0x13 there. Pick a place whose bytes are not
  /// all the same (a shifted read of a uniform run proves nothing); returns false when the two
  /// reads differ (the chip did not enter the mode). No-op (true) for chips up to 16 MiB.
  bool enter_4b(uint64_t check_addr, size_t check_len = 64);

  /// Erase the 4 KiB sector or 64 KiB block at `addr` (aligned) and wait for it.
  void erase(uint64_t addr, uint32_t unit);
  /// Program `data` (≤ 256 bytes, inside one page) at `addr` and wait for it.
  void program_page(uint64_t addr, std::span<const uint8_t> data);
  /// Read back with the same opcodes as SpiNor (0x03, or 0x13 over 16 MiB).
  void read(uint64_t addr, std::span<uint8_t> out);

  struct Counts {
    uint64_t sector_erases = 0, block_erases = 0, pages = 0, bytes = 0, status_polls = 0;
  };
  const Counts& counts() const { return counts_; }

 private:
  void write_enable();
  /// Poll RDSR until WIP clears; Error(Timeout) after `limit` (and at least a few polls).
  void wait_ready(std::chrono::milliseconds limit, const char* what, uint64_t addr);
  void leave_4b() noexcept;
  size_t put_addr(uint8_t* p, uint64_t addr) const;

  SpiMaster& m_;
  uint64_t size_;
  uint8_t mfr_, bp_mask_;
  bool four_byte_ = false;
  Counts counts_;
};

}  // namespace camdump::spi
