// SPDX-License-Identifier: MIT
// crc32 / sf / mmc output readers in every dialect of docs/reference/uboot-console.md.
#include <gtest/gtest.h>

#include "uboot/crc32_output.hpp"
#include "uboot/mmc_output.hpp"
#include "uboot/sf_output.hpp"

using namespace camdump::uboot;
using V = std::vector<std::string>;

TEST(Crc32Output, BothFormsCaseInsensitive) {
  auto a = parse_crc32_line("CRC32 for 80600000 ... 806fffff ==> 1a2b3c4d");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->start, 0x80600000u);
  EXPECT_EQ(a->end, 0x806fffffu);
  EXPECT_EQ(a->crc, 0x1a2b3c4du);
  auto b = parse_crc32_line("crc32 for 04000000 ... 04ffffff ==> eeaead43\r");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->crc, 0xeeaead43u);
}

TEST(Crc32Output, DamagedRepliesAreRefused) {
  EXPECT_FALSE(parse_crc32_line("crc32 for 04000000 ... 04ffffff ==> eeaead4"));  // digit lost
  EXPECT_FALSE(parse_crc32_line("crc32 for 04000000 ... 04ffffff ==> eeaeadx3"));
  EXPECT_FALSE(parse_crc32_line("crc32 for 04000000 .. 04ffffff ==> eeaead43"));
  EXPECT_FALSE(parse_crc32_line("crc32 for 04000000 ... 04ffffff ==> eeaead431"));
  V lines = {"junk", "CRC32 for 82000000 ... 8200ffff ==> 01020304"};
  EXPECT_EQ(find_crc32(lines, 0x82000000, 0x10000), 0x01020304u);
  EXPECT_FALSE(find_crc32(lines, 0x82000000, 0x20000));  // a range that was not asked for
}

TEST(SfOutput, UpstreamAndModern) {
  auto up = parse_sf_probe(V{"SF: Detected W25Q128 with page size 256 Bytes, total 16 MiB"});
  EXPECT_TRUE(up.detected);
  EXPECT_EQ(up.name, "W25Q128");
  EXPECT_EQ(up.size, 16u << 20);
  EXPECT_EQ(up.page_size, 256u);
  auto mo = parse_sf_probe(V{"SF: Detected w25q256 with page size 256 Bytes, erase size 4 KiB, total 32 MiB"});
  EXPECT_EQ(mo.size, 32u << 20);
  EXPECT_EQ(mo.erase_size, 4096u);
  EXPECT_EQ(mo.size_source, "total");
}

TEST(SfOutput, IngenicVendorNameOnly) {
  auto v = parse_sf_probe(V{"the manufacturer 20", "SF: Detected XM25QH128C", "", "--->probe spend 4 ms"});
  EXPECT_TRUE(v.detected);
  EXPECT_EQ(v.name, "XM25QH128C");
  EXPECT_EQ(v.size, 16u << 20);
  EXPECT_EQ(v.size_source, "name");
}

TEST(SfOutput, ThinginoForkJedec) {
  auto t = parse_sf_probe(V{"JZSFC: Flash chip ID: c22017", "SF:    Detected MX25L64**E 8MB (c2 20 17 c2 00)"});
  EXPECT_TRUE(t.detected);
  EXPECT_EQ(t.name, "MX25L64**E 8MB");
  EXPECT_EQ(t.jedec, 0xc22017u);
  EXPECT_EQ(t.size, 8u << 20);
  EXPECT_EQ(t.size_source, "jedec");
}

TEST(SfOutput, Failures) {
  auto f = parse_sf_probe(V{"Failed to initialize SPI flash at 0:0 (error -2)"});
  EXPECT_FALSE(f.detected);
  EXPECT_FALSE(f.size);
  EXPECT_NE(f.error.find("Failed"), std::string::npos);
  EXPECT_EQ(parse_sf_read(V{"SF: 65536 bytes @ 0x10000 Read: OK"}), true);
  EXPECT_EQ(parse_sf_read(V{"SF:    65536 bytes @ 0x0 Read: OK"}), true);
  EXPECT_EQ(parse_sf_read(V{"SF: 1835008 bytes @ 0x40000 Read: OK", "--->read spend 591 ms"}), true);
  EXPECT_EQ(parse_sf_read(V{"No SPI flash selected. Please run `sf probe'"}), false);
  EXPECT_EQ(parse_sf_read(V{"SF: 65536 bytes @ 0x0 Read: ERROR -5"}), false);
  EXPECT_EQ(parse_sf_read(V{}), std::nullopt);
}

TEST(SfOutput, PrintSizeAndNames) {
  EXPECT_EQ(parse_print_size("16 MiB"), 16u << 20);
  EXPECT_EQ(parse_print_size("256 Bytes"), 256u);
  EXPECT_EQ(parse_print_size("1.5 MiB"), 3u << 19);
  EXPECT_EQ(size_from_chip_name("W25Q256JV"), 32u << 20);
  EXPECT_EQ(size_from_chip_name("GD25Q64C"), 8u << 20);
  EXPECT_FALSE(size_from_chip_name("unknown"));
}

TEST(MmcOutput, OldAndNewWording) {
  auto a = parse_mmc_result(V{"MMC write: dev # 0, block # 16, count 32768 ... 32768 blocks write: OK"});
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->ok);
  EXPECT_EQ(a->blocks, 32768u);
  auto b = parse_mmc_result(V{"MMC write: dev # 0, block # 16, count 16 ... 16 blocks written: ERROR"});
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->ok);
  auto c = parse_mmc_result(V{"Error: card is write protected!"});
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->ok);
  EXPECT_FALSE(parse_mmc_result(V{"nothing"}));
}

TEST(OutputParsers, OverlongNumbersFromANoisyConsoleAreNotAnException) {
  // Found by fuzz_uboot_console: a digit run longer than uint64_t made stoull throw.
  const std::string digits(40, '6');
  auto m = parse_mmc_result(V{digits + " blocks written: OK"});
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->ok);
  EXPECT_FALSE(m->blocks);
  EXPECT_FALSE(parse_print_size(digits + " MiB"));
  EXPECT_FALSE(parse_print_size("18446744073709551615 GiB"));
  EXPECT_EQ(parse_print_size("1." + digits + " MiB"), (1u << 20) + (1u << 20) * 666 / 1000);
  EXPECT_FALSE(size_from_chip_name(digits + "MB"));
}

TEST(OutputParsers, VendorSfProbeFailuresAndThinginoTimingLines) {
  std::vector<std::string> stock = {"SF: Unsupported manufacturer 9d", "Failed to initialize SPI flash at 0:0"};
  auto a = camdump::uboot::parse_sf_probe(stock);
  EXPECT_FALSE(a.ok());
  EXPECT_EQ(a.error, "SF: Unsupported manufacturer 9d");
  std::vector<std::string> thingino = {"JZSFC: Flash chip ID: 9d4017",
                                       "JZSFC: Unsupported ID, but still maybe good for flashing",
                                       "SF:    probe command completed in 4 ms"};
  auto b = camdump::uboot::parse_sf_probe(thingino);
  EXPECT_FALSE(b.ok());
  EXPECT_NE(b.error.find("Unsupported ID"), std::string::npos);
  std::vector<std::string> good = {"JZSFC: Flash chip ID: 204018", "SF:    Detected XM25QH128C (20 40 18 20 00)",
                                   "SF:    probe command completed in 4 ms"};
  EXPECT_TRUE(camdump::uboot::parse_sf_probe(good).ok());
  std::vector<std::string> read = {"SF:    65536 bytes @ 0x10000 Read: OK", "SF:    read command completed in 21 ms"};
  EXPECT_EQ(camdump::uboot::parse_sf_read(read), std::optional<bool>(true));
}
