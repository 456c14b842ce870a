// SPDX-License-Identifier: MIT
// The check the Ingenic boot ROM makes before it runs the SPL (docs/reference/inspect-checksums.md
// §1): header magic at 0, flash flavour in byte 8 (0xaa = SPI NOR; otherwise SPI NAND with
// pages-per-block/32 in byte 10 and bytes-per-page/1024 in byte 11), the SPL length (u32 LE at
// 12) and a CRC7 (x^7 + x^3 + 1, MSB first, seed 0) over bytes 2048..length stored in byte 9.
// Sources: uboot-ingenic arch/mips/cpu/xburst/t31/start.S and tools/ingenic-tools/spi_checksum.c.
// SigmaStar "IPL_" headers are only recognised: we know no primary source for their checksum.
#include <fmt/format.h>

#include "core/size.hpp"
#include "image/inspect_checks.hpp"
#include "image/inspect_util.hpp"

namespace camdump::image::detail {

uint8_t ingenic_crc7(std::span<const uint8_t> d, uint8_t crc) {
  // Bitwise: the 7-bit register shifts left; when the bit falling out differs from the data bit,
  // the polynomial's low terms (x^3 + 1 = 0x09) are folded in.
  for (uint8_t byte : d)
    for (int bit = 7; bit >= 0; --bit) {
      const bool feedback = ((crc >> 6) & 1) != ((byte >> bit) & 1);
      crc = uint8_t((crc << 1) & 0x7f);
      if (feedback) crc ^= 0x09;
    }
  return crc;
}

void check_spl(std::span<const uint8_t> img, uint64_t boot_end, BootInfo& b, std::vector<Problem>& out) {
  if (!b.ingenic_spl || img.size() < 16) return;
  const uint8_t flavour = img[8];
  if (flavour == 0xaa) b.spl_flash = "NOR";
  else if (flavour == 0x00 && img[10] && img[11])
    b.spl_flash = fmt::format("NAND ({} pages/block, {}-byte pages)", img[10] * 32u, img[11] * 1024u);
  else b.spl_flash = fmt::format("unknown (byte 8 = {:#04x})", flavour);
  if (flavour != 0xaa && flavour != 0x00)
    out.push_back({"boot", 8,
                   fmt::format("Ingenic SPL header byte 8 is {:#04x}: neither SPI NOR (0xaa) nor "
                               "SPI NAND (0x00); the boot ROM will not load it",
                               flavour)});
  const uint64_t limit = std::min<uint64_t>(boot_end, img.size());
  if (b.spl_length <= 2048 || b.spl_length > limit) {
    out.push_back({"boot", 12,
                   fmt::format("Ingenic SPL length {} (at 0xc) is outside 2 KiB..{} (the boot "
                               "part): the header is damaged",
                               b.spl_length, hex(limit))});
    b.spl_crc_ok = false;
    return;
  }
  b.spl_crc_stored = img[9];
  b.spl_crc_computed = ingenic_crc7(img.subspan(2048, b.spl_length - 2048));
  b.spl_crc_ok = b.spl_crc_stored == b.spl_crc_computed;
  if (!*b.spl_crc_ok)
    out.push_back({"boot", 2048,
                   fmt::format("Ingenic SPL CRC7 mismatch: byte 9 says {:#04x}, bytes 0x800..{} "
                               "give {:#04x}; the boot ROM will refuse this SPL (bricked until a "
                               "programmer rewrites it)",
                               b.spl_crc_stored, hex(b.spl_length), b.spl_crc_computed)});
}

}  // namespace camdump::image::detail
