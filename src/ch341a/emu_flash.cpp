// SPDX-License-Identifier: MIT
#include "ch341a/emu_flash.hpp"

#include <fmt/core.h>

#include <algorithm>

#include "core/error.hpp"
#include "core/size.hpp"

namespace camdump::ch341a {

std::vector<uint8_t> make_sfdp_table(uint64_t size, bool four_byte, int encoding) {
  std::vector<uint8_t> t(0x30 + 16 * 4, 0xFF);
  const uint8_t head[] = {'S', 'F', 'D', 'P', 6, 1, 0, 0xFF,  // JESD216B, one parameter header
                          0x00, 6, 1, 16, 0x30, 0x00, 0x00, 0xFF};
  std::copy(std::begin(head), std::end(head), t.begin());
  auto put = [&](size_t dw, uint32_t v) {
    for (int i = 0; i < 4; ++i) t[0x30 + dw * 4 + size_t(i)] = uint8_t(v >> (8 * i));
  };
  // DWORD1: 4 KiB erase supported (01) with opcode 0x20; address bytes 3 (00) or 3-or-4 (01).
  put(0, (0xFFF920E5u & ~(3u << 17)) | (four_byte ? 1u << 17 : 0u));
  uint64_t bits = size * 8;
  if (encoding == 1) {
    uint32_t n = 0;
    while ((uint64_t(1) << n) < bits) ++n;
    put(1, 0x80000000u | n);
  } else {
    put(1, uint32_t(bits - 1));
  }
  return t;
}

namespace {

class NorEmu : public SpiSlave {
 public:
  NorEmu(NorEmuConfig cfg, std::vector<uint8_t> image) : cfg_(std::move(cfg)), img_(std::move(image)) {
    if (cfg_.sfdp_encoding >= 0)
      sfdp_ = make_sfdp_table(cfg_.size, cfg_.size > (1u << 24), cfg_.sfdp_encoding);
  }
  void select() override { idx_ = 0, addr_ = 0; }
  void deselect() override {
    if (idx_ == 0) return;
    switch (op_) {
      case 0x06: wel_ = true; break;
      case 0x04: wel_ = false; break;
      case 0xB7:
        if (!(cfg_.flags & spi::kWrenBeforeEn4b) || wel_) four_ = true;
        wel_ = false;
        break;
      case 0xE9:
        if (!(cfg_.flags & spi::kWrenBeforeEn4b) || wel_) four_ = false;
        wel_ = false;
        break;
      case 0xC5:
        if (idx_ >= 2 && wel_) ear_ = pending_ear_;
        wel_ = false;
        break;
      case 0x99: four_ = false, ear_ = 0, wel_ = false; break;
    }
    idx_ = 0;
  }
  void clock(std::span<const uint8_t> mosi, std::span<uint8_t> miso) override {
    for (size_t i = 0; i < mosi.size(); ++i) miso[i] = step(mosi[i]);
  }
  std::string describe() const override {
    return fmt::format("{} ({})", cfg_.name, format_size(cfg_.size));
  }

 private:
  uint8_t data_at(uint64_t a) const {
    a %= cfg_.size;
    return a < img_.size() ? img_[a] : 0xFF;
  }
  // Address phase of `n` bytes starting at frame byte 1, then `dummy` bytes, then data.
  uint8_t addressed(unsigned i, uint8_t b, unsigned n, unsigned dummy, bool sfdp) {
    if (i <= n) {
      addr_ = addr_ << 8 | b;
      if (i == n && n == 3 && !sfdp) addr_ |= uint64_t(ear_) << 24;
      return 0xFF;
    }
    if (i <= n + dummy) return 0xFF;
    uint64_t a = addr_ + (i - n - dummy - 1);
    if (sfdp) return a < sfdp_.size() ? sfdp_[a] : 0xFF;
    return data_at(a);
  }
  uint8_t step(uint8_t b) {
    unsigned i = idx_++;
    if (i == 0) {
      op_ = b;
      return 0xFF;
    }
    switch (op_) {
      case 0x9F: return i <= 3 ? cfg_.id[i - 1] : 0x00;
      case 0x05: return uint8_t(wel_ ? 0x02 : 0x00);
      case 0x35: return 0x02;                       // SR2: QE (typical factory state)
      case 0x15: return uint8_t(four_ ? 0x01 : 0);  // SR3 bit0 ADS (Winbond)
      case 0xC8: return ear_;
      case 0xC5:
        if (i == 1) pending_ear_ = b;
        return 0xFF;
      case 0x03: return addressed(i, b, four_ ? 4 : 3, 0, false);
      case 0x0B: return addressed(i, b, four_ ? 4 : 3, 1, false);
      case 0x13: return addressed(i, b, 4, 0, false);
      case 0x0C: return addressed(i, b, 4, 1, false);
      case 0x5A: return sfdp_.empty() ? 0xFF : addressed(i, b, 3, 1, true);
      case 0x90:  // REMS: 3 address bytes, then manufacturer / device alternating
        if (i <= 3) return 0xFF;
        return (i - 4) % 2 == 0 ? cfg_.id[0] : uint8_t(cfg_.id[2] - 1);
      case 0xAB:  // RES: 3 dummy bytes, then the electronic signature
        return i <= 3 ? 0xFF : uint8_t(cfg_.id[2] - 1);
      default: return 0xFF;
    }
  }

  NorEmuConfig cfg_;
  std::vector<uint8_t> img_, sfdp_;
  unsigned idx_ = 0;
  uint8_t op_ = 0, ear_ = 0, pending_ear_ = 0;
  uint64_t addr_ = 0;
  bool wel_ = false, four_ = false;
};

class NandEmu : public SpiSlave {
 public:
  NandEmu(NandEmuConfig cfg, std::vector<uint8_t> image) : cfg_(std::move(cfg)), img_(std::move(image)) {
    const auto& c = *cfg_.chip;
    pages_ = uint32_t(c.size / c.page);
    stride_ = c.page + c.oob;
    with_oob_ = img_.size() == uint64_t(pages_) * stride_;
    if (!with_oob_ && img_.size() != c.size)
      fail(ErrorKind::Usage,
           fmt::format("NAND image is {} bytes; {} needs {} (data only) or {} (data+OOB)", img_.size(),
                       c.name(), c.size, uint64_t(pages_) * stride_));
    cache_.assign(stride_, 0xFF);
  }
  void select() override { idx_ = 0, col_ = 0, addr_ = 0; }
  void deselect() override {
    if (idx_ == 0) return;
    if (op_ == 0x13 && idx_ >= 4) load(uint32_t(addr_) % pages_);
    if (op_ == 0x1F && idx_ >= 3) set_reg(reg_, val_);
    if (op_ == 0xFF) b0_ = 0x10, a0_ = 0x38, status_ = 0;
    idx_ = 0;
  }
  void clock(std::span<const uint8_t> mosi, std::span<uint8_t> miso) override {
    for (size_t i = 0; i < mosi.size(); ++i) miso[i] = step(mosi[i]);
  }
  std::string describe() const override {
    return fmt::format("{} ({}, {} bad blocks)", cfg_.chip->name(), format_size(cfg_.chip->size),
                       cfg_.bad_blocks.size());
  }

 private:
  void set_reg(uint8_t reg, uint8_t v) {
    if (reg == 0xA0) a0_ = v;
    else if (reg == 0xB0 || reg == 0x90) b0_ = v;
  }
  uint8_t get_reg(uint8_t reg) {
    if (reg == 0xA0) return a0_;
    if (reg == 0xB0 || reg == 0x90) return b0_;
    if (reg == 0xC0) {
      if (busy_polls_ > 0) return --busy_polls_, uint8_t(status_ | 0x01);
      return status_;
    }
    return 0x00;
  }
  uint8_t ecc_fail_bits() const {
    switch (cfg_.chip->ecc) {
      case spi::NandEcc::Bits54Eq2: return 0x20;
      case spi::NandEcc::Bits654Eq7: return 0x70;
      case spi::NandEcc::Bits654Eq2: return 0x20;
      case spi::NandEcc::Bits5432Eq8: return 0x20;
      case spi::NandEcc::Bits7654EqF: return 0xF0;
    }
    return 0x20;
  }
  void load(uint32_t page) {
    const auto& c = *cfg_.chip;
    if (with_oob_) {
      std::copy_n(img_.begin() + long(uint64_t(page) * stride_), stride_, cache_.begin());
    } else {
      std::copy_n(img_.begin() + long(uint64_t(page) * c.page), c.page, cache_.begin());
      std::fill(cache_.begin() + c.page, cache_.end(), 0xFF);
    }
    if (page % c.pages_per_block == 0 && cfg_.bad_blocks.count(page / c.pages_per_block))
      cache_[c.page] = 0x00;
    bool ecc_on = (b0_ & 0x10) != 0;
    status_ = ecc_on && cfg_.ecc_fail_pages.count(page) ? ecc_fail_bits() : 0;
    busy_polls_ = 1;  // the first status poll after PAGE READ still sees OIP
  }
  uint8_t step(uint8_t b) {
    unsigned i = idx_++;
    if (i == 0) {
      op_ = b;
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
        if (i <= 3) addr_ = addr_ << 8 | b;
        return 0xFF;
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
  std::vector<uint8_t> img_, cache_;
  uint32_t pages_ = 0, stride_ = 0;
  bool with_oob_ = false;
  unsigned idx_ = 0, busy_polls_ = 0;
  uint8_t op_ = 0, reg_ = 0, val_ = 0, a0_ = 0x38, b0_ = 0x10, status_ = 0;
  uint16_t col_ = 0;
  uint64_t addr_ = 0;
};

}  // namespace

std::unique_ptr<SpiSlave> make_nor_emu(const NorEmuConfig& cfg, std::vector<uint8_t> image) {
  return std::make_unique<NorEmu>(cfg, std::move(image));
}

std::unique_ptr<SpiSlave> make_nand_emu(const NandEmuConfig& cfg, std::vector<uint8_t> image) {
  return std::make_unique<NandEmu>(cfg, std::move(image));
}

}  // namespace camdump::ch341a
