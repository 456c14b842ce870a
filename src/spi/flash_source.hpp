// SPDX-License-Identifier: MIT
// A flash seen as a flat image for the verified reader: NOR (bytes) or NAND (pages, data only or
// data+OOB per page). Reads are whole units (4 KiB for NOR, one page stride for NAND) so a unit
// that differs between reads can be re-read alone. NAND sources remember per-page ECC state and
// the factory bad-block marks seen.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <span>

#include "spi/spi_nand.hpp"
#include "spi/spi_nor.hpp"

namespace camdump::spi {

class FlashSource {
 public:
  virtual ~FlashSource() = default;
  virtual uint64_t size() const = 0;  ///< image bytes
  virtual size_t unit() const = 0;    ///< verify granularity
  virtual size_t chunk() const = 0;   ///< preferred read size (a multiple of unit())
  /// Read `out` at image offset `off` (both multiples of unit()).
  virtual void read(uint64_t off, std::span<uint8_t> out) = 0;
};

class NorSource : public FlashSource {
 public:
  explicit NorSource(SpiNor& nor) : nor_(nor) {}
  uint64_t size() const override { return nor_.size(); }
  size_t unit() const override { return 4096; }
  size_t chunk() const override { return nor_.chunk() >= 4096 ? nor_.chunk() : 4096; }
  void read(uint64_t off, std::span<uint8_t> out) override { nor_.read(off, out); }

 private:
  SpiNor& nor_;
};

class NandSource : public FlashSource {
 public:
  NandSource(SpiNand& nand, bool with_oob);
  uint64_t size() const override { return uint64_t(nand_.pages()) * stride_; }
  size_t unit() const override { return stride_; }
  size_t chunk() const override { return stride_; }
  void read(uint64_t off, std::span<uint8_t> out) override;

  /// Pages whose last read reported an uncorrectable ECC error.
  const std::set<uint32_t>& ecc_failed() const { return ecc_failed_; }
  uint64_t ecc_corrected() const { return corrected_.size(); }
  /// Blocks whose first page carried a bad-block mark.
  const std::set<uint32_t>& bad_blocks() const { return bad_blocks_; }

 private:
  SpiNand& nand_;
  size_t stride_;  // page, or page + OOB when the spare area is read too
  std::vector<uint8_t> buf_;
  std::set<uint32_t> ecc_failed_, corrected_, bad_blocks_;
};

}  // namespace camdump::spi
