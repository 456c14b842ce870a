// SPDX-License-Identifier: MIT
// The virtual camera reads hex arguments the way U-Boot's simple_strtoul(arg, &end, 16) does, in
// every command (one hex_arg() since issue 16): optional 0x, digits up to the first other
// character, 32 bits; the sf commands also reject an argument with anything after its digits.
#include <gtest/gtest.h>

#include "sim_test_util.hpp"

namespace camdump::sim {
namespace {

using testing::Cam;

TEST(SimHexArgs, MemoryCommandsStopAtTheFirstNonHexCharacter) {
  Cam c("sim:flash=8M,dialect=thingino,state=uboot");
  c.cmd("mw.l 0x80600000 0x12345678 1");
  // "80600000zz" is read as 0x80600000, "4q" as 4 (md stops at the junk like simple_strtoul).
  const std::string md = c.cmd("md.l 80600000zz 1");
  EXPECT_NE(md.find("80600000: 12345678"), std::string::npos) << md;
  // A value wider than 32 bits keeps its low 32 (ulong on the 32-bit SoC).
  c.cmd("mw.l 0x80600000 0x1cafef00d 1");
  const std::string wide = c.cmd("md.l 0x80600000 1");
  EXPECT_NE(wide.find("80600000: cafef00d"), std::string::npos) << wide;
}

TEST(SimHexArgs, SfRejectsTrailingJunkButTakesUpperCaseAndPrefix) {
  Cam c("sim:flash=8M,dialect=modern,state=uboot");
  c.cmd("sf probe");
  const std::string bad = c.cmd("sf erase 0x10000 0x1000zz");
  EXPECT_NE(bad.find("Usage:"), std::string::npos) << bad;
  const std::string good = c.cmd("sf erase 0X10000 1000");
  EXPECT_EQ(good.find("Usage:"), std::string::npos) << good;
  EXPECT_NE(good.find("Erased: OK"), std::string::npos) << good;
}

}  // namespace
}  // namespace camdump::sim
