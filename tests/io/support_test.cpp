// SPDX-License-Identifier: MIT
// Tests of the shared test-support helpers (tests/support): processes stopped by PID, ports,
// the raw pty pair, ser2net, and QEMU's three console forms (boots Debian's qemu_arm U-Boot).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/process.hpp"
#include "support/pty.hpp"
#include "support/qemu.hpp"
#include "support/ser2net.hpp"

using namespace camdump::test;

TEST(SupportProcess, CatEchoesThroughPipesAndStopReaps) {
  auto p = Process::spawn({"cat"}, {.pipe_stdin = true, .pipe_stdout = true});
  ASSERT_GT(p.pid(), 0);
  ASSERT_TRUE(write_all(p.stdin_fd(), "hello\n"));
  EXPECT_EQ(read_fd_n(p.stdout_fd(), 6, 2000ms), "hello\n");
  pid_t pid = p.pid();
  EXPECT_TRUE(p.running());
  p.stop();
  EXPECT_EQ(::kill(pid, 0), -1);  // gone and reaped
}

TEST(SupportProcess, MissingProgramThrows) {
  EXPECT_THROW(Process::spawn({"/nonexistent/program"}), std::runtime_error);
}

TEST(SupportProcess, StopKillsAProgramIgnoringSigterm) {
  auto p = Process::spawn({"sh", "-c", "trap '' TERM; echo ready; sleep 30"}, {.pipe_stdout = true});
  ASSERT_TRUE(p.read_until("ready", 3000ms));
  int st = p.stop(200ms);
  EXPECT_TRUE(WIFSIGNALED(st));
  EXPECT_EQ(WTERMSIG(st), SIGKILL);
}

TEST(SupportPorts, FreePortsAreDistinctAndConnectable) {
  uint16_t a = free_tcp_port();
  EXPECT_GT(a, 0);
  EXPECT_GT(free_udp_port(), 0);
  EXPECT_FALSE(wait_tcp_listening(a, 50ms));
}

TEST(SupportQemu, ExecPortQuotesWords) {
  EXPECT_EQ(exec_port({"echo", "a b", "it's", "x"}), "exec:echo 'a b' 'it'\\''s' x");
  auto argv = qemu_argv({}, console_stdio_args(), "/tmp");
  EXPECT_EQ(argv[0], "qemu-system-arm");
  EXPECT_NE(std::find(argv.begin(), argv.end(), "stdio,id=c0,signal=off"), argv.end());
}

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

TEST(SupportSer2net, RawPortBridgesAPtyBothWays) {
  if (!Ser2net::available()) GTEST_SKIP() << "ser2net not installed";
  PtyPair pty;
  auto s = Ser2net::start(pty.slave_path());
  int fd = connect_tcp(s.raw_port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(write_all(fd, "to-device"));
  EXPECT_EQ(read_fd_n(pty.master(), 9, 3000ms), "to-device");
  ASSERT_TRUE(write_all(pty.master(), "to-host"));
  EXPECT_EQ(read_fd_n(fd, 7, 3000ms), "to-host");
  ::close(fd);
}
