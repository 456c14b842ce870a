// SPDX-License-Identifier: MIT
// `camdump script` calculation (uboot/script.hpp): one calculation for every count.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/error.hpp"
#include "uboot/script.hpp"

using namespace camdump;
using namespace camdump::uboot;

namespace {
bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}
bool any_contains(const std::vector<std::string>& v, const std::string& s) {
  return std::any_of(v.begin(), v.end(), [&](const std::string& l) { return l.find(s) != std::string::npos; });
}
}  // namespace

TEST(Script, Sd16MMatchesTheGuide) {
  ScriptOptions o;
  o.flash_size = 16u << 20;
  auto s = make_script(o);
  EXPECT_EQ(s.plan.sd_blocks, 0x8000u);
  EXPECT_TRUE(s.plan.warnings.empty());
  EXPECT_TRUE(has(s.uboot, "mmc write ${baseaddr} 0x10 0x8000"));
  EXPECT_TRUE(has(s.uboot, "mmc erase 0x10 0x8000"));
  EXPECT_TRUE(has(s.uboot, "watchdog 0"));
  EXPECT_TRUE(has(s.uboot, "setenv flashsize 0x1000000"));
  EXPECT_TRUE(has(s.uboot, "mw.b ${baseaddr} 0xff ${flashsize}"));
  EXPECT_TRUE(has(s.uboot, "sf read ${baseaddr} 0x0 ${flashsize}"));
  EXPECT_TRUE(any_contains(s.pc, "dd bs=512 skip=16 count=32768"));
  EXPECT_TRUE(any_contains(s.pc, "camdump extract /dev/sdX -o firmware.bin --size 0x1000000 --offset-blocks 16"));
}

TEST(Script, EightAndThirtyTwoMeg) {
  ScriptOptions o;
  o.flash_size = 8u << 20;
  auto s = make_script(o);
  EXPECT_TRUE(has(s.uboot, "mmc write ${baseaddr} 0x10 0x4000"));
  EXPECT_TRUE(any_contains(s.pc, "count=16384"));
  // 32 MiB from 0x80600000 reaches into the T31 heap: two 16 MiB passes with the same counts.
  o.flash_size = 32u << 20;
  s = make_script(o);
  ASSERT_EQ(s.plan.chunks.size(), 2u);
  EXPECT_FALSE(s.plan.warnings.empty());
  EXPECT_TRUE(has(s.uboot, "mmc erase 0x10 0x10000"));
  EXPECT_TRUE(has(s.uboot, "mmc write ${baseaddr} 0x10 0x8000"));
  EXPECT_TRUE(has(s.uboot, "mmc write ${baseaddr} 0x8010 0x8000"));
  EXPECT_TRUE(has(s.uboot, "sf read ${baseaddr} 0x1000000 ${flashsize}"));
  EXPECT_TRUE(any_contains(s.pc, "dd bs=512 skip=16 count=65536"));
}

TEST(Script, WarnsAboutTheGuideBaseInsideTheHeap) {
  ScriptOptions o;
  o.baseaddr = 0x82000000;
  auto s = make_script(o);
  ASSERT_EQ(s.plan.warnings.size(), 1u);
  EXPECT_NE(s.plan.warnings[0].find("0x80600000"), std::string::npos);
  EXPECT_NE(s.plan.warnings[0].find("malloc"), std::string::npos);
}

TEST(Script, TftpAndUart) {
  ScriptOptions o;
  o.route = ScriptRoute::Tftp;
  o.server_ip = "10.0.0.2";
  auto s = make_script(o);
  EXPECT_TRUE(has(s.uboot, "setenv serverip 10.0.0.2"));
  EXPECT_TRUE(has(s.uboot, "tftpput ${baseaddr} ${flashsize} firmware.bin"));
  EXPECT_TRUE(any_contains(s.pc, "camdump tftpd"));
  o.route = ScriptRoute::Uart;
  s = make_script(o);
  // Per 64 KiB chunk its crc32, then its md.b (tests/offline/hexlog_cli_test.cpp has the details).
  EXPECT_TRUE(any_contains(s.uboot, "crc32 0x80600000 0x10000; md.b 0x80600000 0x10000; "));
  EXPECT_TRUE(any_contains(s.pc, "camdump hexlog session.log -o firmware.bin --start 0x80600000 --size 0x1000000"));
  o.flash_size = 1000;
  EXPECT_THROW(make_script(o), Error);
  o.flash_size = 0;
  EXPECT_THROW(make_script(o), Error);
}
