// SPDX-License-Identifier: MIT
#include "spi/spi_nand.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <vector>

#include "core/error.hpp"

namespace camdump::spi {

EccState decode_ecc_status(NandEcc scheme, uint8_t st) {
  unsigned v = 0, fail = 0;
  switch (scheme) {
    case NandEcc::Bits54Eq2: v = (st & 0x30) >> 4, fail = 2; break;
    case NandEcc::Bits654Eq7: v = (st & 0x70) >> 4, fail = 7; break;
    case NandEcc::Bits654Eq2: v = (st & 0x70) >> 4, fail = 2; break;
    case NandEcc::Bits5432Eq8: v = (st & 0x3C) >> 2, fail = 8; break;
    case NandEcc::Bits7654EqF: v = (st & 0xF0) >> 4, fail = 0xF; break;
  }
  if (v == fail) return EccState::Failed;
  return v == 0 ? EccState::Ok : EccState::Corrected;
}

std::optional<NandId> probe_nand(SpiMaster& m) {
  const uint8_t op_addr[] = {nand_op::kReadId, 0x00};
  const uint8_t op[] = {nand_op::kReadId};
  auto a = m.command(op_addr, 3);
  if (auto* c = find_nand_by_id(a[0], a[1], a[2])) return NandId{c, {a[0], a[1], a[2]}, NandIdMode::AddrByte};
  auto b = m.command(op, 4);
  if (auto* c = find_nand_by_id(b[0], b[1], b[2])) return NandId{c, {b[0], b[1], b[2]}, NandIdMode::Direct};
  if (auto* c = find_nand_by_id(b[1], b[2], b[3])) return NandId{c, {b[1], b[2], b[3]}, NandIdMode::DummyFirst};
  return std::nullopt;
}

SpiNand::SpiNand(SpiMaster& m, const ChipInfo& chip) : m_(m), chip_(chip) {}

uint8_t SpiNand::get_feature(uint8_t reg) {
  const uint8_t cmd[] = {nand_op::kGetFeature, reg};
  return m_.command(cmd, 1)[0];
}

void SpiNand::set_feature(uint8_t reg, uint8_t value) {
  const uint8_t cmd[] = {nand_op::kSetFeature, reg, value};
  m_.transfer(cmd, {});
}

void SpiNand::init() {
  set_feature(nand_op::kRegProtect, 0x00);  // read needs no unlock, but a locked part may hide pages
  uint8_t reg = chip_.has(kEcc90) ? nand_op::kRegEcc90 : nand_op::kRegFeature;
  set_feature(reg, uint8_t(get_feature(reg) | 0x10));  // ECC_EN (bit4)
}

uint8_t SpiNand::wait_ready(uint32_t page, const char* what) {
  uint8_t st = 0;
  for (int i = 0;; ++i) {  // tRD ≤ 100 µs, tPROG ≤ 700 µs, tBERS ≤ 10 ms; one USB round trip ≈ 1 ms
    st = get_feature(nand_op::kRegStatus);
    if (!(st & 0x01)) return st;
    if (i > 2000)
      fail(ErrorKind::Timeout, fmt::format("NAND stays busy after {} of page {} (status 0x{:02X})", what, page, st));
  }
}

uint16_t SpiNand::plane_column(uint32_t page) const { return chip_.has(kTwoPlanes) && ((page >> 6) & 1) ? 0x1000 : 0; }

EccState SpiNand::read_page(uint32_t page, std::span<uint8_t> out) {
  const uint8_t load[] = {nand_op::kPageRead, uint8_t(page >> 16), uint8_t(page >> 8), uint8_t(page)};
  m_.transfer(load, {});
  const uint8_t st = wait_ready(page, "a page read");
  const uint16_t col = plane_column(page);
  if (chip_.has(kCachePrepend)) {
    const uint8_t cmd[] = {nand_op::kReadCache, 0, uint8_t(col >> 8), uint8_t(col)};
    m_.transfer(cmd, out);
  } else {
    const uint8_t cmd[] = {nand_op::kReadCache, uint8_t(col >> 8), uint8_t(col), 0};
    m_.transfer(cmd, out);
  }
  return decode_ecc_status(chip_.ecc, st);
}

void SpiNand::set_ecc(bool on) {
  const uint8_t reg = chip_.has(kEcc90) ? nand_op::kRegEcc90 : nand_op::kRegFeature;
  const uint8_t v = get_feature(reg);
  set_feature(reg, on ? uint8_t(v | 0x10) : uint8_t(v & ~0x10));
}

bool SpiNand::erase_block(uint32_t block) {
  const uint32_t page = block * chip_.pages_per_block;
  const uint8_t wren[] = {nand_op::kWren};
  m_.transfer(wren, {});
  const uint8_t cmd[] = {nand_op::kBlockErase, uint8_t(page >> 16), uint8_t(page >> 8), uint8_t(page)};
  m_.transfer(cmd, {});
  return !(wait_ready(page, "a block erase") & 0x04);  // E-FAIL
}

bool SpiNand::program_page(uint32_t page, std::span<const uint8_t> data) {
  const uint8_t wren[] = {nand_op::kWren};
  m_.transfer(wren, {});
  const uint16_t col = plane_column(page);
  std::vector<uint8_t> load(3 + data.size());
  load[0] = nand_op::kProgramLoad, load[1] = uint8_t(col >> 8), load[2] = uint8_t(col);
  std::copy(data.begin(), data.end(), load.begin() + 3);
  m_.transfer(load, {});
  const uint8_t exec[] = {nand_op::kProgramExecute, uint8_t(page >> 16), uint8_t(page >> 8), uint8_t(page)};
  m_.transfer(exec, {});
  return !(wait_ready(page, "a page program") & 0x08);  // P-FAIL
}

}  // namespace camdump::spi
