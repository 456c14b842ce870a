// SPDX-License-Identifier: MIT
// /proc/mtd and mtdparts= parsing (core/mtd_layout.hpp).
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/mtd_layout.hpp"

using namespace camdump;

TEST(MtdParts, StockT31WithOverlappingAll) {
  auto L = parse_mtdparts(
      "console=ttyS1,115200n8 mtdparts=jz_sfc:256k(boot),1632k(kernel),2752k(rootfs),3136k(app),384k(syscfg),"
      "32k(flag),8M@0(all) rootfstype=squashfs");
  EXPECT_EQ(L.mtd_id, "jz_sfc");
  ASSERT_EQ(L.parts.size(), 7u);
  EXPECT_EQ(L.parts[1].offset, 256u * 1024);
  EXPECT_EQ(L.parts[6].offset, 0u);
  EXPECT_EQ(L.parts[6].size, 8u << 20);
  ASSERT_TRUE(L.whole_chip());
  EXPECT_EQ(*L.whole_chip(), 6u);
  EXPECT_EQ(L.device_size, 8u << 20);
  auto t = L.tiling();
  ASSERT_EQ(t.size(), 6u);
  EXPECT_EQ(t.front(), 0u);
  EXPECT_EQ(t.back(), 5u);
  EXPECT_EQ(L.span(), 8u << 20);
}

TEST(MtdParts, FillUpPartitionNeedsDeviceSize) {
  const char* s =
      "mtdparts=jz_sfc:256k(boot),1792k(kernel),3072k(rootfs),6592k(user),1792k(kernel2),"
      "2560k(rootfs2),256k(mtd_rw),-(factory)";
  auto L = parse_mtdparts(s);
  EXPECT_TRUE(L.parts.back().fill);
  EXPECT_EQ(L.parts.back().size, 0u);
  L.resolve_fill(16u << 20);
  EXPECT_EQ(L.parts.back().offset, 16320u * 1024);
  EXPECT_EQ(L.parts.back().size, 64u * 1024);
  auto L2 = parse_mtdparts(s, 16u << 20);
  EXPECT_EQ(L2.parts.back().size, 64u * 1024);
  EXPECT_THROW(parse_mtdparts(s, 8u << 20), Error);
}

TEST(MtdParts, SyntaxDetails) {
  auto L = parse_mtdparts("sfc0_nor:0x50000(boot)ro,64K@0x50000(env),1m(kernel)lk,-");
  ASSERT_EQ(L.parts.size(), 4u);
  EXPECT_EQ(L.parts[0].size, 0x50000u);
  EXPECT_TRUE(L.parts[0].read_only);
  EXPECT_EQ(L.parts[2].offset, 0x60000u);
  EXPECT_EQ(L.parts[3].name, "Partition_003");
  EXPECT_THROW(parse_mtdparts("jz_sfc:-(a),1M(b)"), Error);  // nothing after a fill-up part
  EXPECT_THROW(parse_mtdparts("jz_sfc:0(a)"), Error);
  EXPECT_THROW(parse_mtdparts("jz_sfc:1Q(a)"), Error);
  EXPECT_THROW(parse_mtdparts("256k(boot)"), Error);  // no mtd-id
  EXPECT_THROW(parse_mtdparts("jz_sfc:256k(boot"), Error);
  auto all = parse_mtdparts_all("mtdparts=a:1M(x);b:2M(y),-(z)");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].mtd_id, "b");
  EXPECT_EQ(parse_memsize("0x10"), 16u);
  EXPECT_EQ(parse_memsize("010"), 8u);
  EXPECT_EQ(parse_memsize("4k"), 4096u);
  EXPECT_FALSE(parse_memsize("4kb"));
}

TEST(MtdParts, ThinginoUpgradeOverlapIsNotTiled) {
  auto L = parse_mtdparts("jz_sfc:320k(boot),64k(env),64k(backup),1600k(kernel),6144k(rootfs),-(data)", 16u << 20);
  EXPECT_FALSE(L.whole_chip());
  auto L2 = parse_mtdparts("jz_sfc:256k(boot),1M(kernel),2M(rootfs),3M@0x40000(upgrade),8M@0(all)");
  auto t = L2.tiling();
  ASSERT_EQ(t.size(), 3u);  // boot, kernel, rootfs; not upgrade (overlaps), not all
  EXPECT_EQ(t[2], 2u);
}

TEST(ProcMtd, ParsesAndFindsWholeChipWithoutOffsets) {
  auto L = parse_proc_mtd(
      "# cat /proc/mtd\r\n"
      "dev:    size   erasesize  name\r\n"
      "mtd0: 00040000 00008000 \"boot\"\r\n"
      "mtd1: 00198000 00008000 \"kernel\"\r\n"
      "mtd2: 002b0000 00008000 \"rootfs\"\r\n"
      "mtd3: 00310000 00008000 \"app\"\r\n"
      "mtd4: 00060000 00008000 \"syscfg\"\r\n"
      "mtd5: 00008000 00008000 \"flag\"\r\n"
      "mtd6: 00800000 00008000 \"all\"\r\n# ");
  ASSERT_EQ(L.parts.size(), 7u);
  EXPECT_EQ(L.parts[1].size, 0x198000u);
  EXPECT_EQ(L.parts[1].erasesize, 0x8000u);
  EXPECT_FALSE(L.parts[1].offset);
  ASSERT_TRUE(L.whole_chip());
  EXPECT_EQ(*L.whole_chip(), 6u);
  L.assign_offsets();
  EXPECT_EQ(L.parts[2].offset, 0x1d8000u);
  EXPECT_EQ(L.parts[6].offset, 0u);
  EXPECT_EQ(L.tiling().size(), 6u);
  EXPECT_EQ(L.span(), 0x800000u);
  EXPECT_NE(L.find("app"), nullptr);
  EXPECT_THROW(parse_proc_mtd("nothing here\n"), Error);
  EXPECT_THROW(parse_proc_mtd("mtd0: 0004zz00 00008000 \"boot\"\n"), Error);
  EXPECT_THROW(parse_proc_mtd("mtd0: 00040000 00008000 boot\n"), Error);
  EXPECT_THROW(parse_proc_mtd("mtd1: 00040000 00008000 \"boot\"\n"), Error);
}
