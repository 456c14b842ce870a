// SPDX-License-Identifier: MIT
// The QEMU launcher of tests/support against Debian's u-boot-qemu: TCP socket, stdio pipes and
// -serial pty consoles reach a U-Boot prompt, and QEMU is stopped by its PID.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include "support/process.hpp"
#include "support/qemu.hpp"

using namespace camdump::test;

TEST(SupportQemu, ArmTcpConsoleShowsAutobootAndPrompt) {
  if (!qemu_available()) GTEST_SKIP() << "u-boot-qemu not installed";
  auto q = Qemu::start_tcp({});
  int fd = connect_tcp(q.port());
  ASSERT_GE(fd, 0);
  std::string acc;
  ASSERT_TRUE(read_fd_until(fd, acc, "Hit any key", 10000ms)) << acc;
  write_all(fd, " ");
  ASSERT_TRUE(read_fd_until(fd, acc, "\r\n=> ", 5000ms)) << acc;
  ::close(fd);
  EXPECT_NE(read_file(q.logfile()).find("U-Boot 20"), std::string::npos);
}

TEST(SupportQemu, ArmStdioPipesAnswer) {
  if (!qemu_available()) GTEST_SKIP() << "u-boot-qemu not installed";
  auto q = Qemu::start_stdio({});
  std::string acc;
  ASSERT_TRUE(read_fd_until(q.stdout_fd(), acc, "Hit any key", 10000ms)) << acc << q.qemu_output();
  write_all(q.stdin_fd(), "\x03");  // signal=off: Ctrl-C is a byte for U-Boot, not SIGINT
  ASSERT_TRUE(read_fd_until(q.stdout_fd(), acc, "=> ", 5000ms)) << acc;
  pid_t pid = q.pid();
  EXPECT_EQ(::kill(pid, 0), 0);
  q.stop();
  EXPECT_EQ(::kill(pid, 0), -1);
}

TEST(SupportQemu, MaltaPtyConsoleAnswers) {
  if (!qemu_available(Board::MaltaEl)) GTEST_SKIP() << "u-boot-qemu not installed";
  auto q = Qemu::start_pty({.board = Board::MaltaEl});
  ASSERT_FALSE(q.pty_path().empty());
  int fd = ::open(q.pty_path().c_str(), O_RDWR | O_NOCTTY);
  ASSERT_GE(fd, 0);
  termios t{};
  tcgetattr(fd, &t);
  cfmakeraw(&t);
  tcsetattr(fd, TCSANOW, &t);
  std::string acc;
  write_all(fd, "version\r");
  EXPECT_TRUE(read_fd_until(fd, acc, "maltael # ", 10000ms)) << acc;
  ::close(fd);
}
