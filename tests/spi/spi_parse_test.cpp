// SPDX-License-Identifier: MIT
// SFDP parsing (both density encodings), chip-table lookup by marking and ID, NAND ECC status
// decoding, wiring-fault diagnosis of JEDEC IDs.
#include <gtest/gtest.h>

#include <array>

#include "ch341a/emu_flash.hpp"
#include "spi/chip_table.hpp"
#include "spi/jedec_id.hpp"
#include "spi/sfdp.hpp"
#include "spi/spi_nand.hpp"

using namespace camdump;
using namespace camdump::spi;

namespace {

std::optional<SfdpInfo> parse_all(const std::vector<uint8_t>& area) {
  auto h = parse_sfdp_header(area);
  if (!h) return std::nullopt;
  return parse_bfpt(*h, std::span(area).subspan(h->bfpt_ptr, size_t{h->bfpt_dwords} * 4));
}

}  // namespace

TEST(Sfdp, DensityBitsMinusOneEncoding) {
  auto area = ch341a::make_sfdp_table(16u << 20, false, 0);
  auto info = parse_all(area);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->size, 16u << 20);
  EXPECT_EQ(info->address_bytes, 3u);
  EXPECT_EQ(info->header.major, 1);
  EXPECT_EQ(info->erase_4k_opcode, 0x20);
  // 128 Mbit -> DWORD2 = 0x07FFFFFF (docs/reference/spi-flash.md#sfdp)
  EXPECT_EQ(area[0x34], 0xFF);
  EXPECT_EQ(area[0x37], 0x07);
}

TEST(Sfdp, DensityPowerOfTwoEncoding) {
  auto area = ch341a::make_sfdp_table(32u << 20, true, 1);
  EXPECT_EQ(area[0x37], 0x80);  // bit31 set
  EXPECT_EQ(area[0x34], 28);    // 2^28 bits
  auto info = parse_all(area);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->size, 32u << 20);
  EXPECT_EQ(info->address_bytes, 34u);
  EXPECT_NE(info->summary().find("32 MiB"), std::string::npos);
}

TEST(Sfdp, RejectsBadSignatureRevisionAndHeader) {
  auto area = ch341a::make_sfdp_table(8u << 20, false, 0);
  auto bad = area;
  bad[0] = 'X';
  EXPECT_FALSE(parse_sfdp_header(bad));
  bad = area;
  bad[5] = 2;  // major revision 2
  EXPECT_FALSE(parse_sfdp_header(bad));
  bad = area;
  bad[15] = 0x00;  // first parameter header is not the BFPT
  EXPECT_FALSE(parse_sfdp_header(bad));
  EXPECT_FALSE(parse_sfdp_header(std::span(area).first(10)));
  std::vector<uint8_t> ff(64, 0xFF);
  EXPECT_FALSE(parse_sfdp_header(ff));
}

TEST(Sfdp, OversizedExponentGivesNoSize) {
  SfdpHeader h;
  const uint8_t bfpt[8] = {0xE5, 0x20, 0xF1, 0xFF, 64, 0, 0, 0x80};
  auto info = parse_bfpt(h, bfpt);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->size, 0u);
  EXPECT_FALSE(parse_bfpt(h, std::span(bfpt).first(7)));
}

TEST(ChipTable, NamesAsReadOffThePackage) {
  for (const char* n : {"XM25QH128C", "xm25qh128c", "W25Q256FV", "MX25L12835F", "mx25l12835f"})
    EXPECT_NE(find_chip_by_name(n), nullptr) << n;
  EXPECT_EQ(find_chip_by_name("xm25qh128c")->size, 16u << 20);
  EXPECT_EQ(find_chip_by_name("W25Q256FV")->size, 32u << 20);
  EXPECT_EQ(find_chip_by_name("MX25L12835F")->id[0], 0xC2);
  // Longer markings with package/temperature suffixes resolve to the part.
  EXPECT_EQ(find_chip_by_name("W25Q128FVSIG")->name(), "W25Q128FV");
  EXPECT_EQ(find_chip_by_name("W25Q128JV-IM")->id[1], 0x70);
  EXPECT_EQ(find_chip_by_name("w25n01gv")->kind, ChipKind::Nand);
  EXPECT_EQ(find_chip_by_name("NOSUCHCHIP"), nullptr);
  EXPECT_EQ(find_chip_by_name(""), nullptr);
}

TEST(ChipTable, LookupById) {
  const uint8_t xmc[] = {0x20, 0x40, 0x18};
  ASSERT_NE(find_nor_by_id(xmc), nullptr);
  EXPECT_EQ(find_nor_by_id(xmc)->name(), "XM25QH128C");
  const uint8_t zbit_alt[] = {0x0E, 0x40, 0x18};  // Zbit parts seen answering 0x0E
  ASSERT_NE(find_nor_by_id(zbit_alt), nullptr);
  EXPECT_EQ(find_nor_by_id(zbit_alt)->vendor, "Zbit");
  EXPECT_EQ(find_nand_by_id(0xEF, 0xAA, 0x21)->name(), "W25N01GV");
  EXPECT_EQ(find_nand_by_id(0xEF, 0xAA, 0x22)->name(), "W25N02KV");
  EXPECT_EQ(find_nand_by_id(0xC8, 0xB1, 0x48)->name(), "GD5F1GQ4UCYIG");
  EXPECT_EQ(find_nand_by_id(0x12, 0x34, 0x56), nullptr);
  // Every vendor of docs/reference/spi-flash.md#nor-chips is there.
  for (const char* v : {"Winbond", "Macronix", "GigaDevice", "XMC", "XTX", "EON", "Zbit", "Puya", "Boya"}) {
    bool found = false;
    for (const auto& c : chip_table()) found |= c.vendor == v;
    EXPECT_TRUE(found) << v;
  }
  EXPECT_EQ(id_string(xmc), "20 40 18");
}

TEST(NandEcc, StatusDecodingPerScheme) {
  EXPECT_EQ(decode_ecc_status(NandEcc::Bits54Eq2, 0x00), EccState::Ok);
  EXPECT_EQ(decode_ecc_status(NandEcc::Bits54Eq2, 0x10), EccState::Corrected);
  EXPECT_EQ(decode_ecc_status(NandEcc::Bits54Eq2, 0x20), EccState::Failed);
  EXPECT_EQ(decode_ecc_status(NandEcc::Bits54Eq2, 0x21), EccState::Failed);  // OIP does not matter
  EXPECT_EQ(decode_ecc_status(NandEcc::Bits654Eq7, 0x70), EccState::Failed);
  EXPECT_EQ(decode_ecc_status(NandEcc::Bits654Eq7, 0x20), EccState::Corrected);
  EXPECT_EQ(decode_ecc_status(NandEcc::Bits654Eq2, 0x20), EccState::Failed);
  EXPECT_EQ(decode_ecc_status(NandEcc::Bits654Eq2, 0x60), EccState::Corrected);
  EXPECT_EQ(decode_ecc_status(NandEcc::Bits5432Eq8, 0x20), EccState::Failed);
  EXPECT_EQ(decode_ecc_status(NandEcc::Bits5432Eq8, 0x04), EccState::Corrected);
  EXPECT_EQ(decode_ecc_status(NandEcc::Bits7654EqF, 0xF0), EccState::Failed);
  EXPECT_EQ(decode_ecc_status(NandEcc::Bits7654EqF, 0x00), EccState::Ok);
}

TEST(JedecId, WiringFaults) {
  const uint8_t zero[] = {0, 0, 0}, ff[] = {0xFF, 0xFF, 0xFF}, good[] = {0xEF, 0x40, 0x18};
  ASSERT_EQ(wiring_warnings(zero).size(), 1u);
  EXPECT_NE(wiring_warnings(zero)[0].find("0x00"), std::string::npos);
  ASSERT_EQ(wiring_warnings(ff).size(), 1u);
  EXPECT_NE(wiring_warnings(ff)[0].find("0xFF"), std::string::npos);
  EXPECT_TRUE(wiring_warnings(good).empty());
  const uint8_t bit_left[] = {0xDE, 0x80, 0x30};   // EF 40 18 << 1
  const uint8_t bit_right[] = {0x77, 0xA0, 0x0C};  // EF 40 18 >> 1
  for (auto* id : {bit_left, bit_right}) {
    auto w = wiring_warnings(std::span(id, 3));
    ASSERT_EQ(w.size(), 1u);
    EXPECT_NE(w[0].find("one bit"), std::string::npos) << w[0];
    EXPECT_NE(w[0].find("W25Q128"), std::string::npos) << w[0];
  }
  const uint8_t byte_late[] = {0x00, 0xEF, 0x40}, byte_early[] = {0x40, 0x18, 0x00};
  for (auto* id : {byte_late, byte_early}) {
    auto w = wiring_warnings(std::span(id, 3));
    ASSERT_EQ(w.size(), 1u);
    EXPECT_NE(w[0].find("one byte"), std::string::npos) << w[0];
  }
}

TEST(JedecId, CapacityByte) {
  EXPECT_EQ(size_from_capacity_byte(0x18), 16u << 20);
  EXPECT_EQ(size_from_capacity_byte(0x20), 64u << 20);
  EXPECT_FALSE(size_from_capacity_byte(0xAA));
}
