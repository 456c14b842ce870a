// SPDX-License-Identifier: MIT
#include "spi/nor_writer.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <vector>

#include "core/error.hpp"
#include "core/size.hpp"
#include "spi/spi_nor.hpp"

namespace camdump::spi {
namespace {

// Worst-case times from the W25Q128JV datasheet, AC characteristics (tPP 3 ms, tSE 400 ms, tBE2 2000 ms,
// tW 15 ms), with room for slower parts and a loaded USB host.
constexpr std::chrono::milliseconds kPageLimit{200}, kSectorLimit{2000}, kBlockLimit{6000}, kWrsrLimit{500};

}  // namespace

NorWriter::NorWriter(SpiMaster& m, uint64_t size, uint8_t jedec_mfr)
    : m_(m), size_(size), mfr_(jedec_mfr), bp_mask_(jedec_mfr == 0xC2 ? 0x3C : 0x1C) {}

NorWriter::~NorWriter() { leave_4b(); }

uint8_t NorWriter::read_status() {
  const uint8_t op[] = {nor_op::kRdsr};
  ++counts_.status_polls;
  return m_.command(op, 1)[0];
}

void NorWriter::write_enable() {
  const uint8_t op[] = {nor_op::kWren};
  m_.transfer(op, {});
}

void NorWriter::wait_ready(std::chrono::milliseconds limit, const char* what, uint64_t addr) {
  const auto t0 = std::chrono::steady_clock::now();
  for (unsigned polls = 0;; ++polls) {
    if (!(read_status() & kSrBusy)) return;
    if (polls >= 4 && std::chrono::steady_clock::now() - t0 > limit)
      fail(ErrorKind::Timeout,
           fmt::format("the chip stayed busy for more than {} ms after {} at {}", limit.count(), what, hex(addr)),
           "check the clip and the 3.3 V supply; in-circuit, hold the SoC in reset");
  }
}

void NorWriter::write_status(uint8_t sr1) {
  // Winbond-style parts: a one-byte WRSR may clear SR2 (QE) on older parts, so SR2 goes along
  // (W25Q64FV datasheet, "Write Status Register"; docs/reference/spi-flash-write.md#nor-status). Macronix: 0x35 is not RDSR2 there
  // (it enters QPI), and WRSR takes SR then CR, so SR1 alone.
  std::vector<uint8_t> cmd{nor_op::kWrsr, sr1};
  if (mfr_ != 0xC2 && mfr_ != 0x1C) {
    const uint8_t op[] = {nor_op::kRdsr2};
    cmd.push_back(m_.command(op, 1)[0]);
  }
  write_enable();
  m_.transfer(cmd, {});
  wait_ready(kWrsrLimit, "writing the status register", 0);
  const uint8_t now = read_status();
  if ((now & 0xFC) != (sr1 & 0xFC))
    fail(ErrorKind::Protocol, fmt::format("status register 1 stays 0x{:02X} after writing 0x{:02X}", now, sr1),
         "SRP (bit 7) with WP# held low blocks status writes: tie WP# (pin 3) high or take the chip off the board");
}

size_t NorWriter::put_addr(uint8_t* p, uint64_t addr) const {
  if (four_byte_) {
    p[0] = uint8_t(addr >> 24), p[1] = uint8_t(addr >> 16), p[2] = uint8_t(addr >> 8), p[3] = uint8_t(addr);
    return 4;
  }
  p[0] = uint8_t(addr >> 16), p[1] = uint8_t(addr >> 8), p[2] = uint8_t(addr);
  return 3;
}

bool NorWriter::enter_4b(uint64_t check_addr, size_t check_len) {
  if (size_ <= (uint64_t(1) << 24)) return true;
  write_enable();  // needed by W25Q256FV / XM25QH256C, ignored as a no-op condition by the others
  const uint8_t en[] = {nor_op::kEn4b};
  m_.transfer(en, {});
  four_byte_ = true;
  std::vector<uint8_t> a(check_len), b(check_len);
  const uint8_t r4[] = {nor_op::kRead4b, uint8_t(check_addr >> 24), uint8_t(check_addr >> 16), uint8_t(check_addr >> 8),
                        uint8_t(check_addr)};
  m_.transfer(r4, a);
  const uint8_t r3[] = {nor_op::kRead, uint8_t(check_addr >> 24), uint8_t(check_addr >> 16), uint8_t(check_addr >> 8),
                        uint8_t(check_addr)};
  m_.transfer(r3, b);
  // Writes after this point must not clear WEL state from B7: WRDI makes the next WREN explicit.
  const uint8_t wrdi[] = {nor_op::kWrdi};
  m_.transfer(wrdi, {});
  return a == b;
}

void NorWriter::leave_4b() noexcept {
  if (!four_byte_) return;
  try {
    write_enable();
    const uint8_t ex[] = {nor_op::kEx4b};
    m_.transfer(ex, {});
    const uint8_t wrdi[] = {nor_op::kWrdi};
    m_.transfer(wrdi, {});
    four_byte_ = false;
  } catch (...) {  // the programmer is gone; the chip leaves 4-byte mode at power-off
  }
}

void NorWriter::erase(uint64_t addr, uint32_t unit) {
  if (addr % unit || (unit != 4096 && unit != 65536))
    fail(ErrorKind::Usage,
         fmt::format("erase of {} bytes at {} is not an aligned 4 KiB sector or 64 KiB block", unit, hex(addr)));
  uint8_t cmd[5] = {unit == 4096 ? nor_op::kSectorErase : nor_op::kBlockErase};
  size_t n = 1 + put_addr(cmd + 1, addr);
  write_enable();
  m_.transfer(std::span<const uint8_t>(cmd, n), {});
  ++(unit == 4096 ? counts_.sector_erases : counts_.block_erases);
  wait_ready(unit == 4096 ? kSectorLimit : kBlockLimit, unit == 4096 ? "a sector erase" : "a block erase", addr);
}

void NorWriter::program_page(uint64_t addr, std::span<const uint8_t> data) {
  if (data.empty()) return;
  if ((addr & 255) + data.size() > 256)
    fail(ErrorKind::Usage,
         fmt::format("page program of {} bytes at {} crosses a 256-byte page", data.size(), hex(addr)));
  uint8_t cmd[5 + 256] = {nor_op::kPageProgram};
  size_t n = 1 + put_addr(cmd + 1, addr);
  std::copy(data.begin(), data.end(), cmd + n);
  write_enable();
  m_.transfer(std::span<const uint8_t>(cmd, n + data.size()), {});
  ++counts_.pages;
  counts_.bytes += data.size();
  wait_ready(kPageLimit, "a page program", addr);
}

void NorWriter::read(uint64_t addr, std::span<uint8_t> out) {
  SpiNor nor(m_, size_);  // 0x03 / 0x13: independent of the address mode
  nor.read(addr, out);
}

}  // namespace camdump::spi
