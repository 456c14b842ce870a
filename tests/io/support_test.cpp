// SPDX-License-Identifier: MIT
// Tests of the shared test-support helpers (tests/support): processes stopped by PID, ports,
// the raw pty pair, ser2net, QEMU command lines (the QEMU boots are in tests/io_qemu).
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
  auto p = Process::spawn({"sh", "-c", "trap '' TERM; echo ready; exec sleep 30"}, {.pipe_stdout = true});
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
  EXPECT_EQ(qemu_exec_port({}, "/tmp"), exec_port(argv));
  auto net = qemu_argv({.ram_image = "/x.bin", .sd_image = "/sd.img", .user_net = true, .net_options = "restrict=on"},
                       console_tcp_args(4000, "/log"), "/tmp");
  std::string joined;
  for (auto& a : net) joined += a + " ";
  EXPECT_NE(joined.find("-device loader,file=/x.bin,addr=0x42000000,force-raw=on"), std::string::npos) << joined;
  EXPECT_NE(joined.find("-drive if=none,id=sdcard,format=raw,file=/sd.img -device virtio-blk-device,drive=sdcard"),
            std::string::npos)
      << joined;
  EXPECT_NE(joined.find("-netdev user,id=n0,restrict=on -device virtio-net-device,netdev=n0"), std::string::npos);
  EXPECT_NE(joined.find("socket,id=c0,host=127.0.0.1,port=4000,server=on,wait=on,logfile=/log"), std::string::npos);
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
