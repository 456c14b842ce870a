// SPDX-License-Identifier: MIT
// U-Boot's reserved area (dump/reserved_ram.hpp, issue 13 item 3): learned from the boot log,
// bdinfo (2013-era MIPS and 2023.01 forms), relocaddr or the RAM size, else the Ingenic SoC's safe
// ceiling; nothing known gives nullopt. Also `camdump script`'s split, which must respect the stack.
#include <gtest/gtest.h>

#include "dump/reserved_ram.hpp"
#include "uboot/script.hpp"

using namespace camdump;
using dump::staging_ceiling;

namespace {

uboot::DeviceInfo ingenic(std::string banner = {}) {
  uboot::DeviceInfo d;
  d.ingenic = true;
  d.arch = "mips";
  d.soc = "T31";
  d.banner = std::move(banner);
  return d;
}

// Stock T31 64 MiB boot log lines (docs/reference/uboot-console.md#sf-read, thingino docs/cameras/pesita-x09.md).
const char* kT31Log =
    "U-Boot 2013.07 (Dec 27 2019 - 18:51:51)\r\n\r\nBoard: ISVP (Ingenic XBurst T31 SoC)\r\nDRAM:  64 MiB\r\n"
    "Top of RAM usable for U-Boot at: 84000000\r\nReserving 32784k for malloc() at: 81f8c000\r\n"
    "Reserving 32 Bytes for Board Info at: 81f8bfe0\r\nReserving 124 Bytes for Global Data at: 81f8bf60\r\n"
    "Reserving 128k for boot params() at: 81f6bf60\r\nStack Pointer at: 81f6bf48\r\n";

}  // namespace

TEST(StagingCeiling, StackPointerFromTheBootLog) {
  auto c = staging_ceiling(ingenic(kT31Log), "");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->ceiling, 0x81e00000u);  // 1 MiB below 0x81f6bf48, rounded down to 1 MiB
  EXPECT_NE(c->why.find("Stack Pointer at: 81f6bf48"), std::string::npos) << c->why;
}

TEST(StagingCeiling, MallocLineWithoutStackPointer) {
  auto c = staging_ceiling(ingenic("Reserving 32784k for malloc() at: 81f8c000\r\n"), "");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->ceiling, 0x81e00000u);
  EXPECT_LT(c->ceiling, 0x81f6bf48u);
}

TEST(StagingCeiling, OldMipsBdinfoBootParams) {
  const char* bd = "boot_params = 0x81F6BF60\nmemstart    = 0x80000000\nmemsize     = 0x04000000\n";
  auto c = staging_ceiling(ingenic(), bd);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->ceiling, 0x81e00000u);
  EXPECT_NE(c->why.find("boot_params"), std::string::npos);
}

TEST(StagingCeiling, ModernBdinfoBdAddressAndNewFdt) {
  uboot::DeviceInfo d;
  d.arch = "arm";
  // cmd/bdinfo.c 2023.01 layout (values as on a 1 GiB i.MX6 board).
  const char* bd =
      "boot_params = 0x10000100\nDRAM bank   = 0x00000000\n-> start    = 0x10000000\n-> size     = 0x40000000\n"
      "bd address  = 0x4d6f2fb0\nrelocaddr   = 0x4ff4f000\nreloc off   = 0x3874f000\nfdt_blob    = 0x4d6f3ad0\n"
      "new_fdt     = 0x4d6e9000\nfdt_size    = 0x00009e60\n";
  auto c = staging_ceiling(d, bd);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->ceiling, 0x4d500000u);  // below new_fdt 0x4d6e9000 by at least 1 MiB
  EXPECT_NE(c->why.find("bd address"), std::string::npos);
  EXPECT_NE(c->why.find("new_fdt"), std::string::npos);
}

TEST(StagingCeiling, SabreliteBdinfoSpStartAndLmb) {
  uboot::DeviceInfo d;
  d.arch = "arm";
  // Our sabrelite build of Debian's 2023.01 under QEMU (1 GiB), abridged.
  const char* bd =
      "boot_params = 0x10000100\nDRAM bank   = 0x00000000\n-> start    = 0x10000000\n-> size     = 0x40000000\n"
      "relocaddr   = 0x4ef81000\nreloc off   = 0x37781000\nfdt_blob    = 0x17865d60\nlmb_dump_all:\n"
      " memory.cnt  = 0x1\n memory[0]\t[0x10000000-0x4fffffff], 0x40000000 bytes flags: 0\n reserved.cnt  = 0x2\n"
      " reserved[0]\t[0x4d57b000-0x4fffffff], 0x02a85000 bytes flags: 0\n"
      " reserved[1]\t[0x4e57ac48-0x4fffffff], 0x01a853b8 bytes flags: 0\n"
      "TLB addr    = 0x4fff0000\nirq_sp      = 0x4e57ee90\nsp start    = 0x4e57ee80\n";
  auto c = staging_ceiling(d, bd);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->ceiling, 0x4d500000u);  // the LMB region is lower than sp start - 1 MiB (0x4e400000)
  EXPECT_NE(c->why.find("sp start"), std::string::npos) << c->why;
  EXPECT_NE(c->why.find("LMB"), std::string::npos) << c->why;
  // Without the LMB dump, 1 MiB below the stack start.
  const std::string no_lmb = "relocaddr   = 0x4ef81000\nsp start    = 0x4e57ee80\n";
  EXPECT_EQ(staging_ceiling(d, no_lmb)->ceiling, 0x4e400000u);
}

TEST(StagingCeiling, RelocaddrAloneAssumesA32MiBArena) {
  uboot::DeviceInfo d;
  d.arch = "arm";
  d.dram_start = 0x80000000;
  d.dram_size = 0x8000000;
  auto c = staging_ceiling(d, "relocaddr   = 0x83f90000\n");
  ASSERT_TRUE(c);
  // 0x83f90000 - 34 MiB - 0x41000, less 1 MiB for the stack, rounded down.
  EXPECT_EQ(c->ceiling, 0x81c00000u);
  // From the session's DeviceInfo only (no bdinfo text) it is the same.
  d.reloc_addr = 0x83f90000;
  EXPECT_EQ(staging_ceiling(d, "")->ceiling, 0x81c00000u);
  // 64 MiB of RAM: at most half of it is the arena (a stock T31 has 32 MiB).
  d.dram_size = 0x4000000;
  EXPECT_EQ(staging_ceiling(d, "")->ceiling, 0x81e00000u);
}

TEST(StagingCeiling, IngenicRamSizeStopsAtSdramMaxTop) {
  // A 128 MiB T31X: U-Boot still relocates below 0x84000000.
  const char* bd = "memstart    = 0x00000000\nmemsize     = 0x08000000\n";
  auto c = staging_ceiling(ingenic(), bd);
  ASSERT_TRUE(c);
  EXPECT_LT(c->ceiling, 0x81e00001u);
  EXPECT_GT(c->ceiling, 0x80600000u + (16u << 20));  // the default buffer + 16 MiB still fits
}

TEST(StagingCeiling, SocFallbackAndUnknown) {
  auto c = staging_ceiling(ingenic(), "");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->ceiling, 0x81e00000u);
  EXPECT_NE(c->why.find("T31"), std::string::npos);
  uboot::DeviceInfo unknown;
  unknown.arch = "arm";
  EXPECT_FALSE(staging_ceiling(unknown, ""));
}

TEST(StagingCeiling, MipsAliasesCompareEqual) {
  auto d = ingenic();
  EXPECT_EQ(dump::ram_view(d, 0xa0600000), dump::ram_view(d, 0x80600000));
  uboot::DeviceInfo arm;
  arm.arch = "arm";
  EXPECT_NE(dump::ram_view(arm, 0xa0600000), dump::ram_view(arm, 0x80600000));
}

// `camdump script` splits below the stack, not only below the heap: from 0x81d00000 the old bound
// (heap at 0x81f8c000) allowed 2 MiB passes ending at 0x81f00000, 0.4 MiB under the stack pointer.
TEST(ScriptSplit, ChunksEndBelowTheStack) {
  uboot::ScriptOptions o;
  o.flash_size = 16u << 20;
  o.baseaddr = 0x81d00000;
  auto p = uboot::plan_script(o);
  ASSERT_GT(p.chunks.size(), 1u);
  for (const auto& c : p.chunks) EXPECT_LE(o.baseaddr + c.size, uboot::kT31StagingCeiling);
  ASSERT_FALSE(p.warnings.empty());
  EXPECT_NE(p.warnings[0].find("stack"), std::string::npos) << p.warnings[0];
}
