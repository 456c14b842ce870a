// SPDX-License-Identifier: MIT
// sf erase/write/update of the virtual camera follow SPI NOR physics (issue 14 item 7): a program
// only clears bits, an erase sets whole units to 0xff and needs aligned ranges, update writes only
// what differs, a reset can cut an erase or a write in half, and save= keeps the result.
#include <fmt/core.h>

#include <algorithm>
#include <filesystem>

#include "core/crc32.hpp"
#include "core/file_util.hpp"
#include "sim_test_util.hpp"
#include "support/process.hpp"

using namespace camdump;
using camdump::sim::testing::Cam;

namespace {

std::vector<uint8_t> flash_of(Cam& c, uint64_t off, uint64_t len) {
  auto f = c.cam().flash();
  return {f.data() + off, f.data() + off + len};
}

}  // namespace

TEST(SimFlash, WriteWithoutEraseGivesOldAndNewAndFailsVerification) {
  Cam c("sim:flash=8M,dialect=thingino,state=uboot");
  c.cmd("sf probe 0");
  const auto before = flash_of(c, 0x10000, 0x1000);
  ASSERT_NE(std::count(before.begin(), before.end(), 0xff), 0x1000) << "pick a region that holds data";
  c.cmd("mw.b 0x80600000 0x5a 0x1000");
  std::string w = c.cmd("sf write 0x80600000 0x10000 0x1000");
  EXPECT_NE(w.find("SF:    4096 bytes @ 0x10000 Written: OK"), std::string::npos) << w;
  const auto after = flash_of(c, 0x10000, 0x1000);
  for (size_t i = 0; i < after.size(); ++i) ASSERT_EQ(after[i], before[i] & 0x5a) << i;
  // The verification a restore does (sf read + crc32) sees the difference.
  c.cmd("sf read 0x80800000 0x10000 0x1000");
  std::vector<uint8_t> want(0x1000, 0x5a);
  std::string crc = c.cmd("crc32 0x80800000 0x1000");
  EXPECT_EQ(crc.find(fmt::format("{:08x}", crc32(want))), std::string::npos) << crc;
  EXPECT_EQ(c.cam().stats().sf_erase_units, 0u);
}

TEST(SimFlash, EraseThenWriteIsExactAndCounted) {
  Cam c("sim:flash=8M,dialect=modern,state=uboot");
  c.cmd("sf probe");
  c.cmd("mw.b 0x80600000 0x5a 0x2000");
  std::string e = c.cmd("sf erase 0x10000 0x2000");
  EXPECT_NE(e.find("SF: 8192 bytes @ 0x10000 Erased: OK"), std::string::npos) << e;
  EXPECT_EQ(c.cam().stats().sf_erase_units, 2u);  // 4 KiB units on modern
  c.cmd("sf write 0x80600000 0x10000 0x2000");
  EXPECT_EQ(flash_of(c, 0x10000, 0x2000), std::vector<uint8_t>(0x2000, 0x5a));
  EXPECT_EQ(c.cam().stats().sf_program_bytes, 0x2000u);
}

TEST(SimFlash, EraseNeedsAlignedRangesAndStaysInsideTheFlash) {
  Cam c("sim:flash=8M,dialect=thingino,state=uboot");
  c.cmd("sf probe");
  const auto before = flash_of(c, 0, 0x20000);
  std::string bad = c.cmd("sf erase 0x1000 0x10000");  // 64 KiB units on the Ingenic builds
  EXPECT_NE(bad.find("SF:    65536 bytes @ 0x1000 Erased: ERROR"), std::string::npos) << bad;
  EXPECT_NE(c.cmd("sf erase 0x10000 0x1000").find("Erased: ERROR"), std::string::npos);
  EXPECT_EQ(flash_of(c, 0, 0x20000), before);
  std::string past = c.cmd("sf erase 0x7f0000 0x20000");
  EXPECT_NE(past.find("ERROR: attempting erase past flash size (0x800000)"), std::string::npos) << past;
  std::string plus = c.cmd("sf erase 0x10000 +100");  // "+len" rounds up to the unit
  EXPECT_NE(plus.find("65536 bytes @ 0x10000 Erased: OK"), std::string::npos) << plus;
  EXPECT_EQ(flash_of(c, 0x10000, 0x10000), std::vector<uint8_t>(0x10000, 0xff));
  EXPECT_EQ(c.cam().stats().sf_erase_units, 1u);
}

TEST(SimFlash, UpdateWritesOnlyTheUnitsThatDiffer) {
  Cam c("sim:flash=8M,dialect=ingenic2013,state=uboot");
  c.cmd("sf probe");
  c.cmd("sf read 0x80600000 0 0x40000");
  c.cmd("mw.b 0x80620000 0x11 0x100");  // change the third 64 KiB unit only
  std::string u = c.cmd("sf update 0x80600000 0 0x40000");
  EXPECT_NE(u.find("65536 bytes written, 196608 bytes skipped in "), std::string::npos) << u;
  EXPECT_NE(u.find("--->update spend "), std::string::npos) << u;
  EXPECT_EQ(c.cam().stats().sf_erase_units, 1u);
  EXPECT_EQ(flash_of(c, 0x20000, 0x100), std::vector<uint8_t>(0x100, 0x11));
}

TEST(SimFlash, ResetMidEraseLeavesTheUnitHalfDone) {
  Cam c("sim:flash=8M,dialect=thingino,state=uboot,reset-after-flash=0x18000");
  c.cmd("sf probe");
  const auto before = flash_of(c, 0x10000, 0x20000);
  c.t->write("sf erase 0x10000 0x20000\r");
  std::string log = c.until("interrupt boot");
  EXPECT_NE(log.find("Thingino U-Boot for Ingenic"), std::string::npos) << log;
  EXPECT_EQ(log.find("Erased: OK"), std::string::npos);
  EXPECT_EQ(c.cam().stats().boots, 1u);  // state=uboot starts without a boot log: this is the reset
  const auto after = flash_of(c, 0x10000, 0x20000);
  // The first 64 KiB unit and half of the second are erased; the rest is as it was.
  EXPECT_EQ(std::vector<uint8_t>(after.begin(), after.begin() + 0x18000), std::vector<uint8_t>(0x18000, 0xff));
  EXPECT_EQ(std::vector<uint8_t>(after.begin() + 0x18000, after.end()),
            std::vector<uint8_t>(before.begin() + 0x18000, before.end()));
}

TEST(SimFlash, SaveWritesTheFlashAtExit) {
  test::TempDir dir;
  const auto out = dir / "saved.bin";
  {
    Cam c("sim:flash=8M,dialect=modern,state=uboot,save=" + out.string());
    c.cmd("sf probe");
    c.cmd("sf erase 0 0x1000");
  }
  auto saved = camdump::read_file(out);
  ASSERT_EQ(saved.size(), 8u << 20);
  EXPECT_EQ(std::vector<uint8_t>(saved.begin(), saved.begin() + 0x1000), std::vector<uint8_t>(0x1000, 0xff));
  Cam again("sim:" + out.string() + ",state=uboot");
  EXPECT_EQ(again.cam().flash()[0], 0xff);
}
