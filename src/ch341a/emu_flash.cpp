// SPDX-License-Identifier: MIT
#include "ch341a/emu_flash.hpp"

#include <fmt/core.h>

#include <algorithm>

#include "core/error.hpp"
#include "core/size.hpp"

namespace camdump::ch341a {

std::vector<uint8_t> make_sfdp_table(uint64_t size, bool four_byte, int encoding) {
  std::vector<uint8_t> t(0x30 + 16 * 4, 0xFF);
  const uint8_t head[] = {'S',  'F', 'D', 'P', 6,    1,    0,    0xFF,  // JESD216B, one parameter header
                          0x00, 6,   1,   16,  0x30, 0x00, 0x00, 0xFF};
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

ProtectedRange nor_protected_range(uint8_t sr1, uint64_t size) {
  const unsigned bp = (sr1 >> 2) & 7;
  if (bp == 0) return {};
  const uint64_t n = bp == 7 ? size : std::min(size, size / 64 << (bp - 1));
  if (sr1 & 0x20) return {0, n};  // TB: counted from the bottom
  return {size - n, size};
}

namespace {

// Busy time in CS frames and status bytes (one frame is a USB round trip, ~1 ms on hardware; cf.
// tPP 0.4 ms / tSE 45 ms / tBE 150 ms typical, W25Q128JV "AC Electrical Characteristics"; what matters
// here is that a program that does not poll WIP meets a busy chip).
constexpr unsigned kBusyProgram = 2, kBusySector = 4, kBusyBlock = 8, kBusyChip = 32, kBusyWrsr = 2;

class NorEmu : public SpiSlave {
 public:
  NorEmu(NorEmuConfig cfg, std::vector<uint8_t> image) : cfg_(std::move(cfg)), img_(std::move(image)) {
    if (cfg_.sfdp_encoding >= 0) sfdp_ = make_sfdp_table(cfg_.size, cfg_.size > (1u << 24), cfg_.sfdp_encoding);
    img_.resize(cfg_.size, 0xFF);  // shorter images read as erased past their end
    sr1_ = cfg_.sr1 & 0xFC;
  }
  void select() override {
    idx_ = 0, addr_ = 0, ignored_ = false;
    if (busy_) --busy_;  // time passes with every command, polled or not
  }
  void deselect() override {
    if (idx_ == 0) return;
    if (ignored_) {
      idx_ = 0;
      return;
    }
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
      case 0x01: write_status(); break;
      case 0x02: program(four_ ? 4 : 3); break;
      case 0x12: program(4); break;
      case 0x20: erase(four_ ? 4 : 3, 4096, kBusySector); break;
      case 0x21: erase(4, 4096, kBusySector); break;
      case 0x52: erase(four_ ? 4 : 3, 32768, kBusyBlock); break;
      case 0xD8: erase(four_ ? 4 : 3, 65536, kBusyBlock); break;
      case 0xDC: erase(4, 65536, kBusyBlock); break;
      case 0xC7:
      case 0x60: erase_chip(); break;
    }
    idx_ = 0;
  }
  void clock(std::span<const uint8_t> mosi, std::span<uint8_t> miso) override {
    for (size_t i = 0; i < mosi.size(); ++i) miso[i] = step(mosi[i]);
  }
  std::string describe() const override { return fmt::format("{} ({})", cfg_.name, format_size(cfg_.size)); }
  std::vector<uint8_t> contents() const override { return img_; }
  Counters counters() const override { return counters_; }

 private:
  uint8_t data_at(uint64_t a) const { return img_[a % cfg_.size]; }
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
  // Write commands: address then (program) data into the page buffer, acted on at CS high.
  void take_write_byte(unsigned i, uint8_t b, unsigned n) {
    if (i <= n) {
      addr_ = addr_ << 8 | b;
      if (i == n && n == 3) addr_ |= uint64_t(ear_) << 24;
      if (i == n) page_.clear();
      return;
    }
    if (page_.size() < 256) page_.push_back(b);
    else page_[(i - n - 1) % 256] = b;  // more than a page: the last 256 bytes win (W25Q128JV "Page Program")
  }
  bool writable(uint64_t a, uint64_t n) {
    if (wel_ && !nor_protected_range(sr1_, cfg_.size).contains_any(a, n)) return true;
    ++counters_.ignored_writes;
    wel_ = false;
    return false;
  }
  void program(unsigned n) {
    if (idx_ <= n + 1) return void(wel_ = false);  // no data byte: nothing happens
    const uint64_t a = addr_ % cfg_.size;
    if (!writable(a & ~uint64_t(255), 256)) return;
    const uint64_t page = a & ~uint64_t(255);
    for (size_t k = 0; k < page_.size(); ++k) {
      uint64_t at = page + ((a + k) & 255);  // the address wraps inside the 256-byte page
      img_[at] &= page_[k];                  // programming only clears bits
    }
    ++counters_.page_programs;
    counters_.programmed_bytes += page_.size();
    wel_ = false;
    busy_ = kBusyProgram;
  }
  void erase(unsigned n, uint64_t unit, unsigned busy) {
    if (idx_ != n + 1) return void(wel_ = false);  // CS must rise right after the address
    const uint64_t a = (addr_ % cfg_.size) & ~(unit - 1);
    if (!writable(a, unit)) return;
    for (uint64_t sec = a; sec < a + unit; sec += 4096)
      if (!cfg_.worn.count(sec)) std::fill_n(img_.begin() + long(sec), 4096, 0xFF);  // a worn sector keeps its bits
    ++(unit == 4096 ? counters_.sector_erases : counters_.block_erases);
    wel_ = false;
    busy_ = busy;
  }
  void erase_chip() {
    if (idx_ != 1 || !writable(0, cfg_.size)) return void(wel_ = false);
    std::fill(img_.begin(), img_.end(), 0xFF);
    ++counters_.chip_erases;
    wel_ = false;
    busy_ = kBusyChip;
  }
  void write_status() {
    if (idx_ < 2 || !wel_) {
      if (idx_ >= 2) ++counters_.ignored_writes;
      return void(wel_ = false);
    }
    sr1_ = pending_sr_[0] & 0xFC;
    if (idx_ >= 3) sr2_ = pending_sr_[1];
    wel_ = false;
    busy_ = kBusyWrsr;
  }
  uint8_t step(uint8_t b) {
    unsigned i = idx_++;
    if (i == 0) {
      op_ = b;
      // A busy part answers only the status reads (docs/reference/spi-flash-write.md#nor-write-opcodes).
      if (busy_ && b != 0x05 && b != 0x35 && b != 0x15) ignored_ = true;
      return 0xFF;
    }
    if (ignored_) return 0xFF;
    switch (op_) {
      case 0x9F: return i <= 3 ? cfg_.id[i - 1] : 0x00;
      case 0x05: {
        uint8_t st = uint8_t(sr1_ | (wel_ ? 0x02 : 0x00) | (busy_ ? 0x01 : 0x00));
        if (busy_) --busy_;
        return st;
      }
      case 0x35: return sr2_;                       // SR2: QE (typical factory state)
      case 0x15: return uint8_t(four_ ? 0x01 : 0);  // SR3 bit0 ADS (Winbond)
      case 0xC8: return ear_;
      case 0xC5:
        if (i == 1) pending_ear_ = b;
        return 0xFF;
      case 0x01:
        if (i <= 2) pending_sr_[i - 1] = b;
        return 0xFF;
      case 0x02: take_write_byte(i, b, four_ ? 4 : 3); return 0xFF;
      case 0x12: take_write_byte(i, b, 4); return 0xFF;
      case 0x20:
      case 0x52:
      case 0xD8: take_write_byte(i, b, four_ ? 4 : 3); return 0xFF;
      case 0x21:
      case 0xDC: take_write_byte(i, b, 4); return 0xFF;
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
  std::vector<uint8_t> img_, sfdp_, page_;
  unsigned idx_ = 0, busy_ = 0;
  uint8_t op_ = 0, ear_ = 0, pending_ear_ = 0, sr1_ = 0, sr2_ = 0x02, pending_sr_[2] = {};
  uint64_t addr_ = 0;
  bool wel_ = false, four_ = false, ignored_ = false;
  Counters counters_;
};

}  // namespace

std::unique_ptr<SpiSlave> make_nor_emu(const NorEmuConfig& cfg, std::vector<uint8_t> image) {
  return std::make_unique<NorEmu>(cfg, std::move(image));
}

}  // namespace camdump::ch341a
