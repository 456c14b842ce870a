// SPDX-License-Identifier: MIT
// U-Boot's reserved area in the virtual camera's RAM (issue 13 item 7): every RAM writer (mw, cp,
// sf read, mmc read, crc32's store, a stub upload by mw.l) that reaches into U-Boot's stack, boot
// params, gd/bd, malloc arena or code hangs the board, whose console then stops answering; writes
// just below it are fine. The area follows ram= (modern) and stops at 0x84000000 (Ingenic).
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "sim_test_util.hpp"

using namespace camdump;
using camdump::sim::testing::Cam;

namespace {

// The console answers nothing at all after a hang: no echo, no prompt, not even to Ctrl-C.
void expect_dead(Cam& c) {
  c.t->write("version\r\x03\r");
  EXPECT_EQ(c.drain(20), "");
}

}  // namespace

TEST(SimReservedRam, MwIntoTheStackKillsTheConsole) {
  Cam c("sim:state=uboot");
  EXPECT_EQ(c.cmd("mw.l 0x81f5b000 0x12345678 0x400"), "");  // the 4 KiB just below: fine
  EXPECT_EQ(c.cam().stats().uboot_corrupted, 0u);
  c.t->write("mw.l 0x81f6b000 0x12345678 4\r");  // under the stack pointer 0x81f6bf48
  EXPECT_EQ(c.until("isvp_t31# ", 10), "mw.l 0x81f6b000 0x12345678 4\r\n");
  EXPECT_EQ(c.cam().stats().uboot_corrupted, 1u);
  expect_dead(c);
}

TEST(SimReservedRam, EveryWriterIsChecked) {
  for (const std::string line : {"cp.b 0x80600000 0x82000000 0x100",   // into the malloc arena
                                 "crc32 0x80600000 0x100 0x83f90000",  // crc32's result store
                                 "mw.l 0xa3f90000 0 1",                // kseg1 alias of U-Boot's code
                                 "sf read 0x81e00000 0 0x200000"}) {   // ends in the stack
    Cam c("sim:state=uboot");
    c.cmd("sf probe");
    c.t->write(line + "\r");
    c.until("isvp_t31# ", 10);
    EXPECT_EQ(c.cam().stats().uboot_corrupted, 1u) << line;
    expect_dead(c);
  }
}

TEST(SimReservedRam, MmcReadIsChecked) {
  char path[] = "/tmp/camdump-sd-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, 8 << 20), 0);
  ::close(fd);
  Cam c(std::string("sim:state=uboot,sd=") + path);
  c.cmd("mmc dev 0");
  c.t->write("mmc read 0x81f00000 0 0x1000\r");  // 2 MiB from 0x81f00000: into the stack
  c.until("isvp_t31# ", 10);
  EXPECT_EQ(c.cam().stats().uboot_corrupted, 1u);
  expect_dead(c);
  std::remove(path);
}

TEST(SimReservedRam, FollowsRamForModernAndStopsAt84000000ForIngenic) {
  Cam m("sim:state=uboot,dialect=modern,ram=128M");
  EXPECT_EQ(m.cmd("mw.l 0x83f90000 0 4"), "");  // U-Boot relocated to the top of 128 MiB instead
  EXPECT_NE(m.cmd("bdinfo").find("relocaddr   = 0x87f90000"), std::string::npos);
  m.t->write("mw.l 0x87f90000 0 4\r");
  m.until("=> ", 10);
  EXPECT_EQ(m.cam().stats().uboot_corrupted, 1u);

  Cam i("sim:state=uboot,ram=128M");
  EXPECT_EQ(i.cmd("mw.l 0x87f90000 0 4"), "");  // above Ingenic's SDRAM_MAX_TOP: free RAM
  i.t->write("mw.l 0x83f90000 0 4\r");
  i.until("isvp_t31# ", 10);
  EXPECT_EQ(i.cam().stats().uboot_corrupted, 1u);
}

TEST(SimReservedRam, GuardOffWritesAnywhere) {
  Cam c("sim:state=uboot,guard=0");
  EXPECT_EQ(c.cmd("mw.l 0x81f6b000 0x12345678 4"), "");
  EXPECT_NE(c.cmd("md.l 0x81f6b000 1").find("81f6b000: 12345678"), std::string::npos);
  EXPECT_EQ(c.cam().stats().uboot_corrupted, 0u);
}
