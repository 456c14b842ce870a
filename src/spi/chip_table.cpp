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

constexpr uint64_t kMiB = uint64_t{1024} * 1024;
// Rows name their fields (designated initialisers); what a row leaves out is the common case.
struct NorRow {
  std::string_view names, vendor;
  std::array<uint8_t, 3> id;  ///< JEDEC 9F: manufacturer, memory type, capacity
  uint64_t mib;
  uint16_t flags = 0;
};

constexpr ChipInfo nor(const NorRow& r) {
  return ChipInfo{.names = r.names,
                  .vendor = r.vendor,
                  .kind = ChipKind::Nor,
                  .id = {r.id[0], r.id[1], r.id[2]},
                  .id_len = 3,
                  .size = r.mib * kMiB,
                  .flags = r.flags};
}

struct NandRow {
  std::string_view names, vendor;
  std::array<uint8_t, 3> id;  ///< manufacturer, device[, second device byte when id_len is 3]
  uint8_t id_len = 2;
  uint64_t mib = 128;
  uint32_t oob = 64;
  uint16_t flags = 0;
  NandIdMode id_mode = NandIdMode::AddrByte;
  NandEcc ecc = NandEcc::Bits54Eq2;
};

constexpr ChipInfo nand(const NandRow& r) {
  return ChipInfo{.names = r.names,
                  .vendor = r.vendor,
                  .kind = ChipKind::Nand,
                  .id = {r.id[0], r.id[1], r.id_len == 3 ? r.id[2] : uint8_t{0}},
                  .id_len = r.id_len,
                  .size = r.mib * kMiB,
                  .flags = r.flags,
                  .page = 2048,
                  .oob = r.oob,
                  .pages_per_block = 64,
                  .id_mode = r.id_mode,
                  .ecc = r.ecc};
}

constexpr auto kTable = std::to_array<ChipInfo>({
    // Winbond
    nor({.names = "W25Q64FV|W25Q64BV|W25Q64CV|W25Q64JV-IQ|W25Q64JVSIQ|W25Q64",
         .vendor = "Winbond",
         .id = {0xEF, 0x40, 0x17},
         .mib = 8}),
    nor({.names = "W25Q64JV-IM|W25Q64JVSIM", .vendor = "Winbond", .id = {0xEF, 0x70, 0x17}, .mib = 8}),
    nor({.names = "W25Q128FV|W25Q128BV|W25Q128JV-IQ|W25Q128JVSIQ|W25Q128JV|W25Q128",
         .vendor = "Winbond",
         .id = {0xEF, 0x40, 0x18},
         .mib = 16}),
    nor({.names = "W25Q128JV-IM|W25Q128JVSIM", .vendor = "Winbond", .id = {0xEF, 0x70, 0x18}, .mib = 16}),
    // W25Q256FV and W25Q256JV-IQ share EF 40 19 but not the EN4B rule: flashrom's W25Q256FV row has
    // FEATURE_4BA_ENTER_WREN, its W25Q256JV_Q row plain FEATURE_4BA (B7 alone). The FV row comes
    // first, so a chip found by its ID gets WREN before B7, which the JV accepts too.
    nor({.names = "W25Q256FV", .vendor = "Winbond", .id = {0xEF, 0x40, 0x19}, .mib = 32, .flags = kWrenBeforeEn4b}),
    nor({.names = "W25Q256JV-IQ|W25Q256JVEIQ|W25Q256JV|W25Q256",
         .vendor = "Winbond",
         .id = {0xEF, 0x40, 0x19},
         .mib = 32}),
    nor({.names = "W25Q256JV-IM|W25Q256JVEIM", .vendor = "Winbond", .id = {0xEF, 0x70, 0x19}, .mib = 32}),
    // Macronix
    nor({.names = "MX25L6405D|MX25L6405|MX25L6406E|MX25L6408E|MX25L6436E|MX25L6445E|MX25L6465E|MX25L6473E",
         .vendor = "Macronix",
         .id = {0xC2, 0x20, 0x17},
         .mib = 8}),
    nor({.names = "MX25L12835F|MX25L12805D|MX25L12845E|MX25L12865E|MX25L12873F|MX25L128",
         .vendor = "Macronix",
         .id = {0xC2, 0x20, 0x18},
         .mib = 16}),
    nor({.names = "MX25L25635F|MX25L25645G|MX25L256", .vendor = "Macronix", .id = {0xC2, 0x20, 0x19}, .mib = 32}),
    // GigaDevice
    nor({.names = "GD25Q64C|GD25Q64B|GD25Q64", .vendor = "GigaDevice", .id = {0xC8, 0x40, 0x17}, .mib = 8}),
    nor({.names = "GD25Q128C|GD25Q128B|GD25Q128E|GD25Q127C|GD25Q128",
         .vendor = "GigaDevice",
         .id = {0xC8, 0x40, 0x18},
         .mib = 16}),
    nor({.names = "GD25Q256D|GD25Q256E|GD25B256|GD25Q256",
         .vendor = "GigaDevice",
         .id = {0xC8, 0x40, 0x19},
         .mib = 32}),
    // XMC (shares 0x20 with ST/Micron)
    nor({.names = "XM25QH64A", .vendor = "XMC", .id = {0x20, 0x70, 0x17}, .mib = 8}),
    nor({.names = "XM25QH64C|XM25QH64D", .vendor = "XMC", .id = {0x20, 0x40, 0x17}, .mib = 8}),
    nor({.names = "XM25QH128A", .vendor = "XMC", .id = {0x20, 0x70, 0x18}, .mib = 16}),
    nor({.names = "XM25QH128C|XM25QH128D", .vendor = "XMC", .id = {0x20, 0x40, 0x18}, .mib = 16}),
    nor({.names = "XM25QH256C|XM25QH256D",
         .vendor = "XMC",
         .id = {0x20, 0x40, 0x19},
         .mib = 32,
         .flags = kWrenBeforeEn4b}),
    // XTX
    nor({.names = "XT25F64B", .vendor = "XTX", .id = {0x0B, 0x40, 0x17}, .mib = 8}),
    nor({.names = "XT25F128B", .vendor = "XTX", .id = {0x0B, 0x40, 0x18}, .mib = 16}),
    nor({.names = "XT25Q128D", .vendor = "XTX", .id = {0x0B, 0x60, 0x18}, .mib = 16}),
    // Zbit (real parts also answer 0x0E, see find_nor_by_id)
    nor({.names = "ZB25VQ64", .vendor = "Zbit", .id = {0x5E, 0x40, 0x17}, .mib = 8}),
    nor({.names = "ZB25VQ128", .vendor = "Zbit", .id = {0x5E, 0x40, 0x18}, .mib = 16}),
    // EON (no 0x7F continuation prefix)
    nor({.names = "EN25QH64A|EN25QH64", .vendor = "EON", .id = {0x1C, 0x70, 0x17}, .mib = 8}),
    nor({.names = "EN25QH128A|EN25QH128", .vendor = "EON", .id = {0x1C, 0x70, 0x18}, .mib = 16}),
    nor({.names = "EN25QX64A", .vendor = "EON", .id = {0x1C, 0x71, 0x17}, .mib = 8}),
    nor({.names = "EN25QX128A", .vendor = "EON", .id = {0x1C, 0x71, 0x18}, .mib = 16}),
    // Puya
    nor({.names = "P25Q64H", .vendor = "Puya", .id = {0x85, 0x60, 0x17}, .mib = 8}),
    nor({.names = "P25Q128H", .vendor = "Puya", .id = {0x85, 0x60, 0x18}, .mib = 16}),
    nor({.names = "PY25Q128HA", .vendor = "Puya", .id = {0x85, 0x20, 0x18}, .mib = 16}),
    nor({.names = "PY25Q256HB", .vendor = "Puya", .id = {0x85, 0x20, 0x19}, .mib = 32}),
    // Boya
    nor({.names = "BY25Q64AS", .vendor = "Boya", .id = {0x68, 0x40, 0x17}, .mib = 8}),
    nor({.names = "BY25Q128AS", .vendor = "Boya", .id = {0x68, 0x40, 0x18}, .mib = 16}),
    // Others from uboot-ingenic jz_spi.h
    nor({.names = "GM25Q128A", .vendor = "GM", .id = {0x1C, 0x40, 0x18}, .mib = 16}),
    nor({.names = "FM25Q64|FS25Q064F2TFI1", .vendor = "FudanMicro", .id = {0xA1, 0x40, 0x17}, .mib = 8}),
    nor({.names = "FM25Q128A", .vendor = "FudanMicro", .id = {0xA1, 0x40, 0x18}, .mib = 16}),
    nor({.names = "IS25LP064D", .vendor = "ISSI", .id = {0x9D, 0x60, 0x17}, .mib = 8}),
    nor({.names = "IS25LP128F", .vendor = "ISSI", .id = {0x9D, 0x60, 0x18}, .mib = 16}),
    nor({.names = "SK25Q128", .vendor = "SK", .id = {0x25, 0x60, 0x18}, .mib = 16}),
    nor({.names = "NM25Q128EVB", .vendor = "Nor-Mem", .id = {0x52, 0x21, 0x18}, .mib = 16}),
    nor({.names = "DQ25Q128AL", .vendor = "DQ", .id = {0x54, 0x60, 0x18}, .mib = 16}),
    nor({.names = "ZD25Q64B", .vendor = "Zetta", .id = {0xBA, 0x32, 0x17}, .mib = 8}),
    nor({.names = "XD25Q128C", .vendor = "XD", .id = {0xD8, 0x40, 0x18}, .mib = 16}),
    // SPI NAND (SNANDer spi_nand_flash_tables)
    nand({.names = "W25N01GV", .vendor = "Winbond", .id = {0xEF, 0xAA, 0x21}, .id_len = 3}),
    nand({.names = "W25N02KV", .vendor = "Winbond", .id = {0xEF, 0xAA, 0x22}, .id_len = 3, .mib = 256, .oob = 128}),
    nand({.names = "GD5F1GQ4UAYIG|GD5F1GQ4UA", .vendor = "GigaDevice", .id = {0xC8, 0xF1, 0}}),
    nand({.names = "GD5F1GQ4UBYIG|GD5F1GQ4UB", .vendor = "GigaDevice", .id = {0xC8, 0xD1, 0}, .oob = 128}),
    nand({.names = "GD5F1GQ4UCYIG|GD5F1GQ4UC",
          .vendor = "GigaDevice",
          .id = {0xC8, 0xB1, 0},
          .oob = 128,
          .flags = kCachePrepend,
          .id_mode = NandIdMode::Direct,
          .ecc = NandEcc::Bits654Eq7}),
    nand({.names = "GD5F1GQ4UEYIS|GD5F1GQ4UE", .vendor = "GigaDevice", .id = {0xC8, 0xD3, 0}, .oob = 128}),
    nand({.names = "GD5F1GQ5UEYIG|GD5F1GQ5UE", .vendor = "GigaDevice", .id = {0xC8, 0x51, 0}, .oob = 128}),
    nand({.names = "GD5F1GM7UE", .vendor = "GigaDevice", .id = {0xC8, 0x91, 0}}),
    nand({.names = "MX35LF1GE4AB", .vendor = "Macronix", .id = {0xC2, 0x12, 0}}),
    nand({.names = "MX35LF2GE4AB", .vendor = "Macronix", .id = {0xC2, 0x22, 0}, .mib = 256, .flags = kTwoPlanes}),
    nand({.names = "XT26G01A", .vendor = "XTX", .id = {0x0B, 0xE1, 0}, .ecc = NandEcc::Bits5432Eq8}),
    nand({.names = "XT26G01C", .vendor = "XTX", .id = {0x0B, 0x11, 0}, .oob = 128, .ecc = NandEcc::Bits7654EqF}),
    nand({.names = "F50L1G41LB", .vendor = "ESMT", .id = {0xC8, 0x01, 0}}),
    nand({.names = "DS35Q1GA", .vendor = "Dosilicon", .id = {0xE5, 0x71, 0}}),
    nand({.names = "FM25S01A", .vendor = "FudanMicro", .id = {0xA1, 0xE4, 0}}),
    nand({.names = "FS35ND01GS1F1",
          .vendor = "Foresee",
          .id = {0xCD, 0xB1, 0},
          .flags = kEcc90,
          .ecc = NandEcc::Bits654Eq7}),
    nand({.names = "TC58CVG0S3H", .vendor = "Toshiba", .id = {0x98, 0xC2, 0}, .id_mode = NandIdMode::DummyFirst}),
    nand({.names = "MT29F1G01", .vendor = "Micron", .id = {0x2C, 0x14, 0}, .oob = 128, .ecc = NandEcc::Bits654Eq2}),
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
