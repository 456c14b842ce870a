// SPDX-License-Identifier: MIT
// telnet: negotiation policy against a scripted server, and a real busybox telnetd shell.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "io/exec_transport.hpp"
#include "io/open_port.hpp"
#include "io/telnet_codec.hpp"
#include "io_test_util.hpp"
#include "support/process.hpp"

using namespace camdump::io;
using namespace camdump::io::telnet;
using namespace camdump::io::testing;
using namespace std::chrono_literals;
namespace ct = camdump::test;

TEST(TelnetTransport, AcceptsOnlyEchoAndSgaAndStripsCommands) {
  int ls = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ASSERT_EQ(::bind(ls, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ::listen(ls, 1);
  ::getsockname(ls, reinterpret_cast<sockaddr*>(&a), &len);
  uint16_t port = ntohs(a.sin_port);
  std::string replies, typed;
  std::thread server([&] {
    int c = ::accept(ls, nullptr, nullptr);
    const uint8_t hello[] = {kIac, kDo,  31 /*NAWS*/,  kIac, kWill, kOptEcho,   kIac, kWill, kOptSga,
                             kIac, kDo,  24 /*TTYPE*/, kIac, kWill, kOptBinary, 'h',  'i',   '\r',
                             0,    kIac, kNop,         '!',  '\r',  '\n',       kIac, kIac};
    ct::write_all(c, std::string_view(reinterpret_cast<const char*>(hello), sizeof hello));
    replies = ct::read_fd_n(c, 15, 3000ms);  // five 3-byte answers
    typed = ct::read_fd_n(c, 6, 3000ms);
    ::close(c);
  });
  {
    auto t = open_port("telnet:127.0.0.1:" + std::to_string(port));
    EXPECT_FALSE(t->eight_bit_clean());
    EXPECT_EQ(read_n(*t, 6, 3000ms), "hi\r!\r\n");
    EXPECT_EQ(read_n(*t, 1, 3000ms), "\xff");
    t->write("ls\r\xff");
  }
  server.join();
  ::close(ls);
  auto has = [&](uint8_t verb, uint8_t opt) {
    return replies.find(std::string{char(kIac), char(verb), char(opt)}) != std::string::npos;
  };
  EXPECT_TRUE(has(kWont, 31));
  EXPECT_TRUE(has(kDo, kOptEcho));
  EXPECT_TRUE(has(kDo, kOptSga));
  EXPECT_TRUE(has(kWont, 24));
  EXPECT_TRUE(has(kDont, kOptBinary));
  EXPECT_EQ(typed, std::string("ls\r\0\xff\xff", 6));  // CR NUL, IAC doubled
}

TEST(TelnetTransport, BusyboxTelnetdShell) {
  if (find_program("busybox").empty()) GTEST_SKIP() << "busybox not installed";
  uint16_t port = ct::free_tcp_port();
  auto d = ct::Process::spawn({"busybox", "telnetd", "-F", "-b", "127.0.0.1:" + std::to_string(port), "-l", "/bin/sh"});
  ASSERT_TRUE(ct::wait_tcp_listening(port, 5000ms));
  auto t = open_port("telnet:127.0.0.1:" + std::to_string(port));
  EXPECT_EQ(t->describe(), "telnet:127.0.0.1:" + std::to_string(port));
  t->write("echo tel$((40+2))net\n");
  std::string out = read_until(*t, "tel42net", 5000ms);
  EXPECT_NE(out.find("tel42net"), std::string::npos) << out;
  EXPECT_EQ(out.find('\xff'), std::string::npos);  // negotiation stripped
}
