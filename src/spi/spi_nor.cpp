// SPDX-License-Identifier: MIT
#include "spi/spi_nor.hpp"

#include <algorithm>
#include <array>

#include "spi/chip_table.hpp"

namespace camdump::spi {

std::vector<uint8_t> read_jedec_id(SpiMaster& m, size_t n) {
  const uint8_t op[] = {nor_op::kRdid};
  return m.command(op, n);
}

void read_sfdp_bytes(SpiMaster& m, uint32_t addr, std::span<uint8_t> out) {
  const uint8_t cmd[] = {nor_op::kRdsfdp, uint8_t(addr >> 16), uint8_t(addr >> 8), uint8_t(addr), 0};
  m.transfer(cmd, out);
}

std::optional<SfdpInfo> read_sfdp(SpiMaster& m) {
  std::array<uint8_t, kSfdpHeaderRead> hb{};
  read_sfdp_bytes(m, 0, hb);
  auto h = parse_sfdp_header(hb);
  if (!h) return std::nullopt;
  std::vector<uint8_t> t(std::min<unsigned>(h->bfpt_dwords, 20) * 4);
  read_sfdp_bytes(m, h->bfpt_ptr, t);
  return parse_bfpt(*h, t);
}

SpiNor::SpiNor(SpiMaster& m, uint64_t size, uint16_t flags) : m_(m), size_(size), flags_(flags) {
  size_t room = m_.limits().max_transfer - 5;
  chunk_ = room >= 4096 ? room / 4096 * 4096 : room;
}

SpiNor::~SpiNor() { leave_4b(); }

void SpiNor::enter_4b() {
  if (in_4b_mode_) return;
  if (flags_ & kWrenBeforeEn4b) {
    const uint8_t wren[] = {nor_op::kWren};
    m_.transfer(wren, {});
  }
  const uint8_t en[] = {nor_op::kEn4b};
  m_.transfer(en, {});
  in_4b_mode_ = true;
}

void SpiNor::leave_4b() noexcept {
  if (!in_4b_mode_) return;
  try {
    if (flags_ & kWrenBeforeEn4b) {  // flashrom FEATURE_4BA_ENTER_WREN covers exit too
      const uint8_t wren[] = {nor_op::kWren};
      m_.transfer(wren, {});
    }
    const uint8_t ex[] = {nor_op::kEx4b};
    m_.transfer(ex, {});
    in_4b_mode_ = false;
  } catch (...) {  // the device is gone; nothing more to do
  }
}

void SpiNor::read(uint64_t addr, std::span<uint8_t> out) {
  while (!out.empty()) {
    size_t n = std::min(out.size(), chunk_);
    if (!four_byte()) {
      const uint8_t cmd[] = {nor_op::kRead, uint8_t(addr >> 16), uint8_t(addr >> 8), uint8_t(addr)};
      m_.transfer(cmd, out.first(n));
    } else {
      uint8_t op = nor_op::kRead4b;
      if (flags_ & kNoRead4b) {
        enter_4b();
        op = nor_op::kRead;
      }
      const uint8_t cmd[] = {op, uint8_t(addr >> 24), uint8_t(addr >> 16), uint8_t(addr >> 8), uint8_t(addr)};
      m_.transfer(cmd, out.first(n));
    }
    addr += n;
    out = out.subspan(n);
  }
}

}  // namespace camdump::spi
