// SPDX-License-Identifier: MIT
// The chip table (data only). Sources per row: docs/reference/spi-flash.md#nor-chips (NOR) and
// docs/reference/spi-flash.md#nand-chips (NAND); 4-byte-address quirks from #four-byte (flashrom flashchips/winbond.c, xmc.c).
#include "spi/chip_table.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace camdump::spi {
namespace {

constexpr uint64_t kMiB = 1024 * 1024;
constexpr ChipKind N = ChipKind::Nor;
constexpr ChipKind D = ChipKind::Nand;

constexpr ChipInfo nor(std::string_view names, std::string_view vendor, uint8_t a, uint8_t b, uint8_t c, uint64_t mib,
                       uint16_t flags = 0) {
  return ChipInfo{names, vendor, N, {a, b, c}, 3, mib * kMiB, flags};
}

constexpr ChipInfo nand(std::string_view names, std::string_view vendor, uint8_t mfr, uint8_t dev, uint32_t page,
                        uint32_t oob, uint16_t flags = 0, NandIdMode mode = NandIdMode::AddrByte,
                        NandEcc ecc = NandEcc::Bits54Eq2, uint64_t mib = 128) {
  return ChipInfo{names, vendor, D, {mfr, dev, 0}, 2, mib * kMiB, flags, page, oob, 64, mode, ecc};
}

constexpr ChipInfo nand3(std::string_view names, std::string_view vendor, uint8_t mfr, uint8_t dev, uint8_t dev2,
                         uint64_t mib, uint32_t oob) {
  return ChipInfo{
      names, vendor, D, {mfr, dev, dev2}, 3, mib * kMiB, 0, 2048, oob, 64, NandIdMode::AddrByte, NandEcc::Bits54Eq2};
}

constexpr auto kTable = std::to_array<ChipInfo>({
    // Winbond
    nor("W25Q64FV|W25Q64BV|W25Q64CV|W25Q64JV-IQ|W25Q64JVSIQ|W25Q64", "Winbond", 0xEF, 0x40, 0x17, 8),
    nor("W25Q64JV-IM|W25Q64JVSIM", "Winbond", 0xEF, 0x70, 0x17, 8),
    nor("W25Q128FV|W25Q128BV|W25Q128JV-IQ|W25Q128JVSIQ|W25Q128JV|W25Q128", "Winbond", 0xEF, 0x40, 0x18, 16),
    nor("W25Q128JV-IM|W25Q128JVSIM", "Winbond", 0xEF, 0x70, 0x18, 16),
    // W25Q256FV and W25Q256JV-IQ share EF 40 19 but not the EN4B rule: flashrom's W25Q256FV row has
    // FEATURE_4BA_ENTER_WREN, its W25Q256JV_Q row plain FEATURE_4BA (B7 alone). The FV row comes
    // first, so a chip found by its ID gets WREN before B7, which the JV accepts too.
    nor("W25Q256FV", "Winbond", 0xEF, 0x40, 0x19, 32, kWrenBeforeEn4b),
    nor("W25Q256JV-IQ|W25Q256JVEIQ|W25Q256JV|W25Q256", "Winbond", 0xEF, 0x40, 0x19, 32),
    nor("W25Q256JV-IM|W25Q256JVEIM", "Winbond", 0xEF, 0x70, 0x19, 32),
    // Macronix
    nor("MX25L6405D|MX25L6405|MX25L6406E|MX25L6408E|MX25L6436E|MX25L6445E|MX25L6465E|MX25L6473E", "Macronix", 0xC2,
        0x20, 0x17, 8),
    nor("MX25L12835F|MX25L12805D|MX25L12845E|MX25L12865E|MX25L12873F|MX25L128", "Macronix", 0xC2, 0x20, 0x18, 16),
    nor("MX25L25635F|MX25L25645G|MX25L256", "Macronix", 0xC2, 0x20, 0x19, 32),
    // GigaDevice
    nor("GD25Q64C|GD25Q64B|GD25Q64", "GigaDevice", 0xC8, 0x40, 0x17, 8),
    nor("GD25Q128C|GD25Q128B|GD25Q128E|GD25Q127C|GD25Q128", "GigaDevice", 0xC8, 0x40, 0x18, 16),
    nor("GD25Q256D|GD25Q256E|GD25B256|GD25Q256", "GigaDevice", 0xC8, 0x40, 0x19, 32),
    // XMC (shares 0x20 with ST/Micron)
    nor("XM25QH64A", "XMC", 0x20, 0x70, 0x17, 8),
    nor("XM25QH64C|XM25QH64D", "XMC", 0x20, 0x40, 0x17, 8),
    nor("XM25QH128A", "XMC", 0x20, 0x70, 0x18, 16),
    nor("XM25QH128C|XM25QH128D", "XMC", 0x20, 0x40, 0x18, 16),
    nor("XM25QH256C|XM25QH256D", "XMC", 0x20, 0x40, 0x19, 32, kWrenBeforeEn4b),
    // XTX
    nor("XT25F64B", "XTX", 0x0B, 0x40, 0x17, 8),
    nor("XT25F128B", "XTX", 0x0B, 0x40, 0x18, 16),
    nor("XT25Q128D", "XTX", 0x0B, 0x60, 0x18, 16),
    // Zbit (real parts also answer 0x0E, see find_nor_by_id)
    nor("ZB25VQ64", "Zbit", 0x5E, 0x40, 0x17, 8),
    nor("ZB25VQ128", "Zbit", 0x5E, 0x40, 0x18, 16),
    // EON (no 0x7F continuation prefix)
    nor("EN25QH64A|EN25QH64", "EON", 0x1C, 0x70, 0x17, 8),
    nor("EN25QH128A|EN25QH128", "EON", 0x1C, 0x70, 0x18, 16),
    nor("EN25QX64A", "EON", 0x1C, 0x71, 0x17, 8),
    nor("EN25QX128A", "EON", 0x1C, 0x71, 0x18, 16),
    // Puya
    nor("P25Q64H", "Puya", 0x85, 0x60, 0x17, 8),
    nor("P25Q128H", "Puya", 0x85, 0x60, 0x18, 16),
    nor("PY25Q128HA", "Puya", 0x85, 0x20, 0x18, 16),
    nor("PY25Q256HB", "Puya", 0x85, 0x20, 0x19, 32),
    // Boya
    nor("BY25Q64AS", "Boya", 0x68, 0x40, 0x17, 8),
    nor("BY25Q128AS", "Boya", 0x68, 0x40, 0x18, 16),
    // Others from uboot-ingenic jz_spi.h
    nor("GM25Q128A", "GM", 0x1C, 0x40, 0x18, 16),
    nor("FM25Q64|FS25Q064F2TFI1", "FudanMicro", 0xA1, 0x40, 0x17, 8),
    nor("FM25Q128A", "FudanMicro", 0xA1, 0x40, 0x18, 16),
    nor("IS25LP064D", "ISSI", 0x9D, 0x60, 0x17, 8),
    nor("IS25LP128F", "ISSI", 0x9D, 0x60, 0x18, 16),
    nor("SK25Q128", "SK", 0x25, 0x60, 0x18, 16),
    nor("NM25Q128EVB", "Nor-Mem", 0x52, 0x21, 0x18, 16),
    nor("DQ25Q128AL", "DQ", 0x54, 0x60, 0x18, 16),
    nor("ZD25Q64B", "Zetta", 0xBA, 0x32, 0x17, 8),
    nor("XD25Q128C", "XD", 0xD8, 0x40, 0x18, 16),
    // SPI NAND (SNANDer spi_nand_flash_tables)
    nand3("W25N01GV", "Winbond", 0xEF, 0xAA, 0x21, 128, 64),
    nand3("W25N02KV", "Winbond", 0xEF, 0xAA, 0x22, 256, 128),
    nand("GD5F1GQ4UAYIG|GD5F1GQ4UA", "GigaDevice", 0xC8, 0xF1, 2048, 64),
    nand("GD5F1GQ4UBYIG|GD5F1GQ4UB", "GigaDevice", 0xC8, 0xD1, 2048, 128),
    nand("GD5F1GQ4UCYIG|GD5F1GQ4UC", "GigaDevice", 0xC8, 0xB1, 2048, 128, kCachePrepend, NandIdMode::Direct,
         NandEcc::Bits654Eq7),
    nand("GD5F1GQ4UEYIS|GD5F1GQ4UE", "GigaDevice", 0xC8, 0xD3, 2048, 128),
    nand("GD5F1GQ5UEYIG|GD5F1GQ5UE", "GigaDevice", 0xC8, 0x51, 2048, 128),
    nand("GD5F1GM7UE", "GigaDevice", 0xC8, 0x91, 2048, 64),
    nand("MX35LF1GE4AB", "Macronix", 0xC2, 0x12, 2048, 64),
    nand("MX35LF2GE4AB", "Macronix", 0xC2, 0x22, 2048, 64, kTwoPlanes, NandIdMode::AddrByte, NandEcc::Bits54Eq2, 256),
    nand("XT26G01A", "XTX", 0x0B, 0xE1, 2048, 64, 0, NandIdMode::AddrByte, NandEcc::Bits5432Eq8),
    nand("XT26G01C", "XTX", 0x0B, 0x11, 2048, 128, 0, NandIdMode::AddrByte, NandEcc::Bits7654EqF),
    nand("F50L1G41LB", "ESMT", 0xC8, 0x01, 2048, 64),
    nand("DS35Q1GA", "Dosilicon", 0xE5, 0x71, 2048, 64),
    nand("FM25S01A", "FudanMicro", 0xA1, 0xE4, 2048, 64),
    nand("FS35ND01GS1F1", "Foresee", 0xCD, 0xB1, 2048, 64, kEcc90, NandIdMode::AddrByte, NandEcc::Bits654Eq7),
    nand("TC58CVG0S3H", "Toshiba", 0x98, 0xC2, 2048, 64, 0, NandIdMode::DummyFirst),
    nand("MT29F1G01", "Micron", 0x2C, 0x14, 2048, 128, 0, NandIdMode::AddrByte, NandEcc::Bits654Eq2),
});

std::string normalize(std::string_view s) {
  std::string r;
  for (char c : s)
    if (c != '-' && c != ' ' && c != '_') r += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return r;
}

template <typename F>
void for_each_name(const ChipInfo& c, F&& f) {
  std::string_view rest = c.names;
  while (!rest.empty()) {
    size_t bar = rest.find('|');
    f(rest.substr(0, bar));
    if (bar == std::string_view::npos) break;
    rest = rest.substr(bar + 1);
  }
}

}  // namespace

std::span<const ChipInfo> chip_table() { return kTable; }

const ChipInfo* find_chip_by_name(std::string_view name) {
  std::string want = normalize(name);
  if (want.empty()) return nullptr;
  const ChipInfo* best = nullptr;
  size_t best_len = 0;
  for (const auto& c : kTable) {
    bool exact = false;
    for_each_name(c, [&](std::string_view n) {
      std::string m = normalize(n);
      if (m == want) exact = true;
      else if (want.starts_with(m) && m.size() > best_len) best = &c, best_len = m.size();
    });
    if (exact) return &c;
  }
  return best;
}

const ChipInfo* find_nor_by_id(std::span<const uint8_t> id) {
  if (id.size() < 3) return nullptr;
  uint8_t mfr = id[0] == 0x0E ? 0x5E : id[0];  // Zbit parts seen answering 0x0E (flashchips.h)
  for (const auto& c : kTable)
    if (c.kind == ChipKind::Nor && c.id[0] == mfr && c.id[1] == id[1] && c.id[2] == id[2]) return &c;
  return nullptr;
}

const ChipInfo* find_nand_by_id(uint8_t mfr, uint8_t dev, uint8_t dev2) {
  for (const auto& c : kTable)
    if (c.kind == ChipKind::Nand && c.id[0] == mfr && c.id[1] == dev && (c.id_len < 3 || c.id[2] == dev2)) return &c;
  return nullptr;
}

std::string chip_names(const ChipInfo& c) {
  std::string r;
  for_each_name(c, [&](std::string_view n) {
    if (!r.empty()) r += ", ";
    r += n;
  });
  return r;
}

std::string id_string(std::span<const uint8_t> id) {
  std::string r;
  for (uint8_t b : id) r += fmt::format("{}{:02X}", r.empty() ? "" : " ", b);
  return r;
}

}  // namespace camdump::spi
