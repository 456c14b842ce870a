// SPDX-License-Identifier: MIT
// exec: with real programs on a pseudo-terminal: cat (raw mode: all bytes back unchanged), a busybox
// shell, word splitting, end of stream, the program stopped by its PID in the destructor.
#include <gtest/gtest.h>
#include <signal.h>
#include <termios.h>

#include <cerrno>

#include "core/error.hpp"
#include "io/exec_transport.hpp"
#include "io/open_port.hpp"
#include "io_test_util.hpp"

using namespace camdump;
using namespace camdump::io;
using namespace camdump::io::testing;
using namespace std::chrono_literals;

TEST(ExecTransport, CatReturnsAllByteValuesUnchangedOnARawPty) {
  auto t = open_port("exec:cat");
  EXPECT_FALSE(t->eight_bit_clean());
  std::string all = all_bytes();
  t->write(all);
  EXPECT_EQ(read_n(*t, 256, 3000ms), all);  // no echo, no CR/LF translation, no signals from ^C
  t->write("line\n");
  EXPECT_EQ(read_n(*t, 5, 3000ms), "line\n");
  EXPECT_EQ(t->describe(), "exec:cat");
  EXPECT_EQ(t->rx_bytes(), 261u);
  EXPECT_EQ(t->tx_bytes(), 261u);
}

TEST(ExecTransport, PtyIsInRawMode) {
  ExecTransport t({"cat"});
  termios tio{};
  ASSERT_EQ(tcgetattr(t.pty_fd(), &tio), 0);  // the master reports the slave's modes
  EXPECT_EQ(tio.c_lflag & (ICANON | ECHO | ISIG), 0u);
  EXPECT_EQ(tio.c_oflag & OPOST, 0u);
  EXPECT_EQ(tio.c_iflag & (ICRNL | IXON), 0u);
  EXPECT_EQ(tio.c_cflag & CSIZE, static_cast<tcflag_t>(CS8));
}

TEST(ExecTransport, SttyInsideSeesRawMode) {
  auto t = open_port("exec:stty -a");
  std::string out = read_until(*t, "-icanon", 3000ms);
  EXPECT_NE(out.find("-icanon"), std::string::npos) << out;
  EXPECT_NE(out.find("-echo "), std::string::npos) << out;
}

TEST(ExecTransport, WordsAreSplitLikeAShell) {
  auto t = open_port(R"(exec:sh -c 'printf "[%s]" "$@"' argv0 "a  b" c\ d 'e"f')");
  EXPECT_EQ(read_until(*t, "[e\"f]", 3000ms), "[a  b][c d][e\"f]");
}

TEST(ExecTransport, BusyboxShellGivesAPromptAndRunsCommands) {
  if (find_program("busybox").empty()) GTEST_SKIP() << "busybox not installed";
  auto t = open_port("exec:busybox sh -i");
  std::string banner = read_until(*t, "# ", 5000ms);
  ASSERT_NE(banner.find("# "), std::string::npos) << banner;
  t->write("echo $((6*7))\n");
  std::string out = read_until(*t, "42", 3000ms);
  EXPECT_NE(out.find("42"), std::string::npos) << out;
}

TEST(ExecTransport, EndOfProgramIsAnIoErrorAfterItsOutput) {
  auto t = open_port("exec:printf done");
  EXPECT_EQ(read_until(*t, "done", 3000ms), "done");
  uint8_t buf[16];
  try {
    for (int i = 0; i < 100; ++i) t->read(buf, 100ms);
    ADD_FAILURE() << "no error after the program exited";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Io);
    EXPECT_EQ(std::string(e.what()), "exec:printf: the program exited with status 0");
  }
  auto t2 = open_port("exec:sh -c 'exit 3'");
  try {
    for (int i = 0; i < 100; ++i) t2->read(buf, 100ms);
    ADD_FAILURE() << "no error after the program exited";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "exec:sh: the program exited with status 3");
    EXPECT_FALSE(e.hint().empty());
  }
}

TEST(ExecTransport, DestructorStopsTheProgramByPid) {
  pid_t pid;
  {
    ExecTransport t({"sh", "-c", "trap '' TERM HUP; echo up; while :; do sleep 1; done"});
    pid = t.pid();
    EXPECT_EQ(read_until(t, "up", 3000ms).substr(0, 2), "up");
    EXPECT_EQ(::kill(pid, 0), 0);
  }
  EXPECT_EQ(::kill(pid, 0), -1);  // killed (SIGKILL after the grace period) and reaped
  EXPECT_EQ(errno, ESRCH);
}

TEST(ExecTransport, MissingProgramAndEmptyCommandAreClearErrors) {
  try {
    open_port("exec:no-such-program-xyz --flag");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::NotFound);
    EXPECT_NE(std::string(e.what()).find("no-such-program-xyz"), std::string::npos);
  }
  try {
    open_port("exec:   ");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
  }
}
