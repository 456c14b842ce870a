// SPDX-License-Identifier: MIT
// Boot area: Ingenic SPL header at offset 0 (uboot-ingenic start.S / spi_checksum.c,
// docs/reference/image-formats.md#ingenic-spl), SigmaStar "IPL_", U-Boot version strings, SoC family, and the uImage-wrapped
// U-Boot that 2013.07 builds place after the SPL (0x6800 = CONFIG_SPL_PAD_TO; NAND 0x8000).
#include <algorithm>
#include <cctype>
#include <cstring>
#include <string_view>

#include "image/inspect_checks.hpp"
#include "image/inspect_util.hpp"

namespace camdump::image::detail {
namespace {

std::string printable_run(std::span<const uint8_t> d, size_t at, size_t max) {
  std::string s;
  for (size_t i = at; i < d.size() && s.size() < max; ++i) {
    uint8_t c = d[i];
    if (c < 0x20 || c > 0x7e) break;
    s.push_back(char(c));
  }
  return s;
}

}  // namespace

BootInfo inspect_boot(std::span<const uint8_t> img, uint64_t boot_end) {
  BootInfo b;
  static const uint8_t kSpl[] = {0x06, 0x05, 0x04, 0x03, 0x02, 0x55, 0xaa, 0x55};
  if (img.size() >= 16 && std::memcmp(img.data(), kSpl, sizeof kSpl) == 0) {
    b.ingenic_spl = true;
    b.spl_length = rd_le32(img.data() + 12);
  }
  b.sigmastar_ipl = img.size() >= 8 && std::memcmp(img.data() + 4, "IPL_", 4) == 0;
  auto area = sub(img, 0, boot_end);
  std::string_view text(reinterpret_cast<const char*>(area.data()), area.size());
  for (std::string_view needle : {"U-Boot SPL 20", "U-Boot 20"}) {
    for (size_t at = text.find(needle); at != std::string_view::npos && b.uboot_versions.size() < 4;
         at = text.find(needle, at + 1)) {
      std::string s = printable_run(area, at, 100);
      if (std::find(b.uboot_versions.begin(), b.uboot_versions.end(), s) == b.uboot_versions.end())
        b.uboot_versions.push_back(s);
    }
  }
  // Drop strings that are a prefix of a longer one (the uImage name "U-Boot 2013.07" vs the banner).
  std::erase_if(b.uboot_versions, [&](const std::string& s) {
    return std::any_of(b.uboot_versions.begin(), b.uboot_versions.end(),
                       [&](const std::string& o) { return o.size() > s.size() && o.compare(0, s.size(), s) == 0; });
  });
  // SoC: "Ingenic T31", "isvp_t31", "soc=t31"-style tokens in the boot area.
  for (std::string_view needle : {"Ingenic T", "isvp_t", "ISVP_T", "Ingenic X"}) {
    size_t at = text.find(needle);
    if (at == std::string_view::npos) continue;
    size_t p = at + needle.size();
    std::string soc(1, char(std::toupper(static_cast<unsigned char>(needle.back()))));
    while (p < text.size() && soc.size() < 5 && std::isalnum(static_cast<unsigned char>(text[p])))
      soc.push_back(char(std::toupper(static_cast<unsigned char>(text[p++]))));
    if (soc.size() >= 3 && std::isdigit(static_cast<unsigned char>(soc[1]))) {
      b.soc = soc;
      break;
    }
  }
  for (uint64_t at : {0x6800ull, 0x8000ull, 0x4000ull, 0x10000ull})
    if (at + 64 <= std::min<uint64_t>(boot_end, img.size()) && rd_be32(img.data() + at) == 0x27051956u) {
      b.uboot_uimage = at;
      break;
    }
  return b;
}

}  // namespace camdump::image::detail
