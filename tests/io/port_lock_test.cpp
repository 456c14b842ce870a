// SPDX-License-Identifier: MIT
// A serial PORT is taken exclusively (flock + TIOCEXCL, and a /proc scan for programs that take
// neither): a second opener of one pty is refused and told who holds it, whether that is a second
// transport, another program (here `sleep` with the pty as its stdin) or a second camdump. And
// PORT auto's choice among the adapters present.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "core/error.hpp"
#include "core/fs_identity.hpp"
#include "io/open_port.hpp"
#include "io/port_list.hpp"
#include "io/port_lock.hpp"
#include "support/process.hpp"
#include "support/pty.hpp"
#include "support/paths.hpp"

using namespace camdump;
using namespace camdump::io;
using namespace std::chrono_literals;
namespace ct = camdump::test;

namespace {

std::string open_error(const std::string& path) {
  try {
    auto t = open_port(path);
  } catch (const Error& e) {
    return std::string(e.what()) + " | " + e.hint();
  }
  return "";
}

}  // namespace

TEST(PortLock, SecondOpenerOfOnePtyIsRefused) {
  ct::PtyPair pty;
  auto first = open_port(pty.slave_path());
  const std::string err = open_error(pty.slave_path());
  EXPECT_NE(err.find("is in use"), std::string::npos) << err;
  EXPECT_NE(err.find("screen"), std::string::npos) << err;  // the hint says how to close the usual ones
  first.reset();
  EXPECT_EQ(open_error(pty.slave_path()), "");  // released at close
}

TEST(PortLock, AnotherProgramHoldingThePortIsNamed) {
  ct::PtyPair pty(false);
  auto p = ct::Process::spawn({"sh", "-c", "exec sleep 60 < " + pty.slave_path()});
  bool seen = false;
  for (int i = 0; i < 100 && !seen; ++i) {
    seen = !port_holders(pty.slave_path()).empty();
    if (!seen) std::this_thread::sleep_for(50ms);
  }
  ASSERT_TRUE(seen);
  const std::string err = open_error(pty.slave_path());
  EXPECT_NE(err.find("in use by sleep (pid " + std::to_string(p.pid()) + ")"), std::string::npos) << err;
  p.stop();
  EXPECT_EQ(open_error(pty.slave_path()), "");
}

TEST(PortLock, SecondCamdumpIsToldWhichCamdumpHasThePort) {
  ct::PtyPair pty(false);
  ct::TempDir d;
  // The first one waits for a console that never speaks; the second must stop at once.
  auto first =
      ct::Process::spawn({camdump::test::camdump_exe(), "dump", "uart", pty.slave_path(), "-o", (d / "a.bin").string()},
                         {.stderr_file = (d / "a.err").string()});
  ASSERT_TRUE(ct::wait_file_contains(d / "a.err", "waiting for the console", 30s)) << ct::read_file(d / "a.err");
  auto second =
      ct::Process::spawn({camdump::test::camdump_exe(), "dump", "uart", pty.slave_path(), "-o", (d / "b.bin").string()},
                         {.stderr_file = (d / "b.err").string()});
  auto st = second.wait_exit(30s);
  ASSERT_TRUE(st && WIFEXITED(*st));
  EXPECT_EQ(WEXITSTATUS(*st), 1);
  const std::string err = ct::read_file(d / "b.err");
  EXPECT_NE(err.find("is in use by camdump (pid " + std::to_string(first.pid()) + ")"), std::string::npos) << err;
  first.stop();
}

TEST(PortLock, PermissionHintNamesTheDevicesGroupAndTheRelogin) {
  ct::TempDir d;
  const std::string node = (d / "ttyFAKE").string();
  ct::write_file(node, "");
  const auto g = group_entry("dialout");
  if (!g || ::chown(node.c_str(), static_cast<uid_t>(-1), g->gid) != 0)
    GTEST_SKIP() << "no dialout group to hand the node to";
  const std::string h = permission_hint(node);
  EXPECT_NE(h.find("'dialout'"), std::string::npos) << h;
  EXPECT_NE(h.find("log out and in again"), std::string::npos) << h;
}

TEST(PortAuto, ExactlyOneUsbAdapterIsChosen) {
  SerialPortInfo s0{.path = "/dev/ttyS0"};
  SerialPortInfo u0{
      .path = "/dev/ttyUSB0", .usb = true, .vid = 0x1a86, .pid = 0x7523, .note = adapter_note(0x1a86, 0x7523)};
  SerialPortInfo u1{.path = "/dev/ttyACM0", .usb = true, .vid = 0x10c4, .pid = 0xea60};
  EXPECT_EQ(choose_auto_port({s0, u0}).path, "/dev/ttyUSB0");  // built-in UARTs never count
  try {
    choose_auto_port({s0, u0, u1});
    ADD_FAILURE() << "two adapters accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    const std::string m = e.what();
    EXPECT_NE(m.find("/dev/ttyUSB0 (CH340/CH341 USB-serial)"), std::string::npos) << m;
    EXPECT_NE(m.find("/dev/ttyACM0"), std::string::npos) << m;
  }
  try {
    choose_auto_port({s0});
    ADD_FAILURE() << "no adapter accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::NotFound);
  }
}

TEST(PortAuto, UsualAdaptersHaveNotes) {
  EXPECT_NE(adapter_note(0x1a86, 0x7523).find("CH340"), std::string::npos);
  EXPECT_NE(adapter_note(0x10c4, 0xea60).find("CP210x"), std::string::npos);
  EXPECT_NE(adapter_note(0x0403, 0x6001).find("FT232"), std::string::npos);
  EXPECT_NE(adapter_note(0x067b, 0x2303).find("PL2303"), std::string::npos);
  EXPECT_EQ(adapter_note(0x1234, 0x5678), "");
}
