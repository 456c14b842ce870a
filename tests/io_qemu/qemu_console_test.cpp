// SPDX-License-Identifier: MIT
// The io transports against Debian's real U-Boot under QEMU (slow suite, label io_qemu): exec: on
// QEMU's stdio (a Ctrl-C byte reaches U-Boot, signal=off), tcp: to a socket chardev, and
// ser2net (raw and rfc2217) in front of QEMU's -serial pty.
#include <gtest/gtest.h>

#include <thread>

#include "core/error.hpp"
#include "io/open_port.hpp"
#include "support/process.hpp"
#include "support/qemu.hpp"
#include "support/ser2net.hpp"

using namespace camdump;
using namespace camdump::io;
using namespace std::chrono_literals;
namespace ct = camdump::test;

namespace {
std::string read_until(Transport& t, const std::string& needle, std::chrono::milliseconds timeout) {
  std::string acc;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  uint8_t buf[4096];
  while (acc.find(needle) == std::string::npos && std::chrono::steady_clock::now() < deadline)
    acc.append(reinterpret_cast<char*>(buf), t.read(buf, 50ms));
  return acc;
}

// 256 bytes 0..255 in a file, loaded into RAM by QEMU.
std::string write_pattern(const ct::TempDir& dir) {
  std::string data;
  for (int i = 0; i < 256; ++i) data += static_cast<char>(i);
  auto path = (dir / "pattern.bin").string();
  ct::write_file(path, data);
  return path;
}
}  // namespace

TEST(IoQemu, ExecStdioStopsAutobootWithCtrlCAndRunsCommands) {
  if (!ct::qemu_available()) GTEST_SKIP() << "u-boot-qemu not installed";
  ct::TempDir dir;
  auto port = ct::exec_port(ct::qemu_argv({}, ct::console_stdio_args(), dir.path()));
  auto t = open_port(port);
  std::string boot = read_until(*t, "Hit any key", 15000ms);
  ASSERT_NE(boot.find("Hit any key"), std::string::npos) << boot;
  t->write("\x03");  // would kill QEMU with signal=on
  ASSERT_NE(read_until(*t, "=> ", 5000ms).find("=> "), std::string::npos);
  t->write("echo exec-$ok\n");  // unset variable: prints "exec-"
  // Up to the prompt after it: a prompt left unread would end the read of the next command early.
  std::string out = read_until(*t, "exec-\r\n=> ", 5000ms);
  EXPECT_NE(out.find("exec-$ok\r\nexec-\r\n=> "), std::string::npos) << out;
  t->write("version\n");
  out = read_until(*t, "\n=> ", 5000ms);
  EXPECT_NE(out.find("U-Boot 20"), std::string::npos) << out;
}

TEST(IoQemu, TcpSocketConsoleReadsRamWithMd) {
  if (!ct::qemu_available()) GTEST_SKIP() << "u-boot-qemu not installed";
  ct::TempDir dir;
  auto q = ct::Qemu::start_tcp({.ram_image = write_pattern(dir)});
  auto t = open_port(q.port_spec());
  ASSERT_NE(read_until(*t, "Hit any key", 15000ms).find("Hit any key"), std::string::npos);
  t->write(" ");
  ASSERT_NE(read_until(*t, "=> ", 5000ms).find("=> "), std::string::npos);
  t->write("md.b 0x420000f0 0x10\n");
  std::string out = read_until(*t, "\r\n=> ", 5000ms);
  EXPECT_NE(out.find("420000f0: f0 f1 f2 f3 f4 f5 f6 f7 f8 f9 fa fb fc fd fe ff  ................"), std::string::npos)
      << out;
  t.reset();
  EXPECT_NE(ct::read_file(q.logfile()).find("420000f0: f0 f1"), std::string::npos);
}

TEST(IoQemu, Ser2netInFrontOfQemuPtyRawAndRfc2217) {
  if (!ct::qemu_available(ct::Board::MaltaEl) || !ct::Ser2net::available()) GTEST_SKIP() << "missing packages";
  auto q = ct::Qemu::start_pty({.board = ct::Board::MaltaEl});
  auto s = ct::Ser2net::start(q.pty_path());
  {
    auto t = open_port(s.raw_spec());
    t->write("\r");
    ASSERT_NE(read_until(*t, "maltael # ", 10000ms).find("maltael # "), std::string::npos);
    t->write("echo raw-ok\r");
    std::string out = read_until(*t, "raw-ok\r\nmaltael # ", 10000ms);
    EXPECT_NE(out.find("raw-ok\r\nmaltael # "), std::string::npos) << out;
  }
  // ser2net releases the pty shortly after the raw client left; until then it drops new clients.
  std::unique_ptr<Transport> t;
  for (int attempt = 0; !t; ++attempt) {
    try {
      t = open_port(s.rfc2217_spec(), {.baud = 115200});
    } catch (const Error& e) {
      ASSERT_LT(attempt, 30) << e.what() << "\n" << s.log();
      EXPECT_NE(e.hint().find("retry"), std::string::npos);
      std::this_thread::sleep_for(100ms);
    }
  }
  EXPECT_TRUE(t->set_baud(57600));  // reaches the pty; QEMU ignores rates
  t->write("echo rfc-ok\r");
  std::string out = read_until(*t, "rfc-ok\r\nmaltael # ", 10000ms);
  EXPECT_NE(out.find("rfc-ok\r\nmaltael # "), std::string::npos) << out;
}

TEST(IoQemu, QemuSerialPtyAsADevicePort) {
  if (!ct::qemu_available(ct::Board::MaltaEl)) GTEST_SKIP() << "u-boot-qemu not installed";
  auto q = ct::Qemu::start_pty({.board = ct::Board::MaltaEl});
  auto t = open_port(q.pty_path());
  EXPECT_TRUE(t->eight_bit_clean());
  t->write("\r");
  ASSERT_NE(read_until(*t, "maltael # ", 10000ms).find("maltael # "), std::string::npos);
  t->write("crc32 0x80000000 0x10\r");
  std::string out = read_until(*t, "\r\nmaltael # ", 10000ms);
  EXPECT_NE(out.find("CRC32 for 80000000 ... 8000000f ==> "), std::string::npos) << out;
}
