// SPDX-License-Identifier: MIT
// The emulated SPI NAND part: READ ID in the part's variant, GET/SET FEATURE, PAGE READ (0x13)
// with a busy poll and ECC status in 0xC0, READ FROM CACHE (0x03) append/prepend, factory
// bad-block marks, and the write side SNANDer uses: WREN, PROGRAM LOAD (0x02, rest of the
// buffer 0xFF) / LOAD RANDOM (0x84), PROGRAM EXECUTE (0x10), BLOCK ERASE (0xD8). Physics as for
// NOR: a program only clears bits, an erase sets the whole block (data + spare) to 0xFF; a part
// whose protection register 0xA0 has any BP bit set (the power-up state) refuses both with
// P_FAIL/E_FAIL, as does a block carrying the factory bad mark. Facts: docs/reference/spi-flash.md (SNANDer
// spi_nand_flash.c) and spi-flash-write.md#nand-write (W25N01GV status 0xC0: OIP bit 0, WEL bit 1,
// E-FAIL bit 2, P-FAIL bit 3).
#include <fmt/core.h>

#include <algorithm>

#include "ch341a/emu_flash.hpp"
#include "core/error.hpp"
#include "core/size.hpp"

namespace camdump::ch341a {
namespace {

class NandEmu : public SpiSlave {
 public:
  NandEmu(NandEmuConfig cfg, std::vector<uint8_t> image) : cfg_(std::move(cfg)) {
    const auto& c = *cfg_.chip;
    pages_ = uint32_t(c.size / c.page);
    stride_ = c.page + c.oob;
    with_oob_ = image.size() == uint64_t(pages_) * stride_;
    if (!with_oob_ && image.size() != c.size)
      fail(ErrorKind::Usage, fmt::format("NAND image is {} bytes; {} needs {} (data only) or {} (data+OOB)",
                                         image.size(), c.name(), c.size, uint64_t(pages_) * stride_));
    if (with_oob_) {
      arr_ = std::move(image);
    } else {  // data only: the spare areas start erased
      arr_.assign(uint64_t(pages_) * stride_, 0xFF);
      for (uint32_t p = 0; p < pages_; ++p)
        std::copy_n(image.begin() + long(uint64_t(p) * c.page), c.page, arr_.begin() + long(uint64_t(p) * stride_));
    }
    for (uint32_t b : cfg_.bad_blocks)  // factory mark: first spare byte of the block's first page
      if (uint64_t(b) * c.pages_per_block < pages_) arr_[uint64_t(b) * c.pages_per_block * stride_ + c.page] = 0x00;
    cache_.assign(stride_, 0xFF);
  }
  void select() override { idx_ = 0, col_ = 0, addr_ = 0; }
  void deselect() override {
    if (idx_ == 0) return;
    if (op_ == 0x13 && idx_ >= 4) load(uint32_t(addr_) % pages_);
    if (op_ == 0x1F && idx_ >= 3) set_reg(reg_, val_);
    if (op_ == 0xFF) b0_ = 0x10, a0_ = 0x38, status_ = 0, wel_ = false;
    if (op_ == 0x06) wel_ = true;
    if (op_ == 0x04) wel_ = false;
    if (op_ == 0x10 && idx_ >= 4) execute(uint32_t(addr_) % pages_);
    if (op_ == 0xD8 && idx_ >= 4) erase(uint32_t(addr_) % pages_ / cfg_.chip->pages_per_block);
    idx_ = 0;
  }
  void clock(std::span<const uint8_t> mosi, std::span<uint8_t> miso) override {
    for (size_t i = 0; i < mosi.size(); ++i) miso[i] = step(mosi[i]);
  }
  std::string describe() const override {
    return fmt::format("{} ({}, {} bad blocks)", cfg_.chip->name(), format_size(cfg_.chip->size),
                       cfg_.bad_blocks.size());
  }
  std::vector<uint8_t> contents() const override {
    if (with_oob_) return arr_;
    const auto& c = *cfg_.chip;
    std::vector<uint8_t> d(c.size);
    for (uint32_t p = 0; p < pages_; ++p)
      std::copy_n(arr_.begin() + long(uint64_t(p) * stride_), c.page, d.begin() + long(uint64_t(p) * c.page));
    return d;
  }
  Counters counters() const override { return counters_; }

 private:
  void set_reg(uint8_t reg, uint8_t v) {
    if (reg == 0xA0) a0_ = v;
    else if (reg == 0xB0 || reg == 0x90) b0_ = v;
  }
  uint8_t get_reg(uint8_t reg) {
    if (reg == 0xA0) return a0_;
    if (reg == 0xB0 || reg == 0x90) return b0_;
    if (reg == 0xC0) {
      uint8_t st = uint8_t(status_ | (wel_ ? 0x02 : 0x00));
      if (busy_polls_ > 0) return --busy_polls_, uint8_t(st | 0x01);
      return st;
    }
    return 0x00;
  }
  uint8_t ecc_fail_bits() const {
    switch (cfg_.chip->ecc) {
      // 2 in bits 5:4, 2 in bits 6:4 and 8 in bits 5:2 are all the status value 0x20.
      case spi::NandEcc::Bits54Eq2:
      case spi::NandEcc::Bits654Eq2:
      case spi::NandEcc::Bits5432Eq8: return 0x20;
      case spi::NandEcc::Bits654Eq7: return 0x70;
      case spi::NandEcc::Bits7654EqF: return 0xF0;
    }
    return 0x20;
  }
  bool bad(uint32_t block) const { return cfg_.bad_blocks.count(block) != 0; }
  bool locked() const { return (a0_ & 0x38) != 0; }
  void load(uint32_t page) {
    std::copy_n(arr_.begin() + long(uint64_t(page) * stride_), stride_, cache_.begin());
    bool ecc_on = (b0_ & 0x10) != 0;
    status_ = ecc_on && cfg_.ecc_fail_pages.count(page) ? ecc_fail_bits() : 0;
    busy_polls_ = 1;  // the first status poll after PAGE READ still sees OIP
  }
  void execute(uint32_t page) {
    status_ &= uint8_t(~0x0C);
    if (!wel_ || locked() || bad(page / cfg_.chip->pages_per_block)) {
      status_ |= 0x08;  // P-FAIL
      ++counters_.ignored_writes;
    } else {
      auto at = arr_.begin() + long(uint64_t(page) * stride_);
      for (uint32_t k = 0; k < stride_; ++k) at[k] &= cache_[k];  // only clears bits
      ++counters_.page_programs;
      counters_.programmed_bytes += stride_;
    }
    wel_ = false;
    busy_polls_ = 2;
  }
  void erase(uint32_t block) {
    status_ &= uint8_t(~0x0C);
    if (!wel_ || locked() || bad(block)) {
      status_ |= 0x04;  // E-FAIL
      ++counters_.ignored_writes;
    } else {
      const uint64_t n = uint64_t(cfg_.chip->pages_per_block) * stride_;
      std::fill_n(arr_.begin() + long(uint64_t(block) * n), n, 0xFF);
      ++counters_.block_erases;
    }
    wel_ = false;
    busy_polls_ = 4;
  }
  uint8_t step(uint8_t b) {
    unsigned i = idx_++;
    if (i == 0) {
      op_ = b;
      if (b == 0x02) std::fill(cache_.begin(), cache_.end(), 0xFF);  // PROGRAM LOAD clears the buffer
      return 0xFF;
    }
    const auto& c = *cfg_.chip;
    switch (op_) {
      case 0x9F: {
        int k = c.id_mode == spi::NandIdMode::Direct ? int(i) - 1 : int(i) - 2;
        if (k < 0) return 0xFF;
        return k < 3 ? (k < c.id_len ? c.id[k] : 0x00) : 0x00;
      }
      case 0x0F:
        if (i == 1) return reg_ = b, 0xFF;
        return get_reg(reg_);
      case 0x1F:
        if (i == 1) reg_ = b;
        if (i == 2) val_ = b;
        return 0xFF;
      case 0x13:
      case 0x10:
      case 0xD8:
        if (i <= 3) addr_ = addr_ << 8 | b;
        return 0xFF;
      case 0x02:
      case 0x84: {
        if (i <= 2) {
          col_ = uint16_t(col_ << 8 | b);
          return 0xFF;
        }
        size_t a = (col_ & 0x0FFF) + (i - 3);
        if (a < cache_.size()) cache_[a] = b;
        return 0xFF;
      }
      case 0x03: {
        bool prepend = c.has(spi::kCachePrepend);
        unsigned data_start = 4;
        if (!prepend && (i == 1 || i == 2)) col_ = uint16_t(col_ << 8 | b);
        if (prepend && (i == 2 || i == 3)) col_ = uint16_t(col_ << 8 | b);
        if (i < data_start) return 0xFF;
        size_t a = (col_ & 0x0FFF) + (i - data_start);
        return a < cache_.size() ? cache_[a] : 0xFF;
      }
      default: return 0xFF;
    }
  }

  NandEmuConfig cfg_;
  std::vector<uint8_t> arr_, cache_;  ///< arr_: every page as data + spare
  uint32_t pages_ = 0, stride_ = 0;
  bool with_oob_ = false, wel_ = false;
  unsigned idx_ = 0, busy_polls_ = 0;
  uint8_t op_ = 0, reg_ = 0, val_ = 0, a0_ = 0x38, b0_ = 0x10, status_ = 0;
  uint16_t col_ = 0;
  uint64_t addr_ = 0;
  Counters counters_;
};

}  // namespace

std::unique_ptr<SpiSlave> make_nand_emu(const NandEmuConfig& cfg, std::vector<uint8_t> image) {
  return std::make_unique<NandEmu>(cfg, std::move(image));
}

}  // namespace camdump::ch341a
