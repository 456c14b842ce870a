// SPDX-License-Identifier: MIT
// rfc2217: through ser2net's telnet(rfc2217) accepter to a pty the test owns: the baud rate set
// remotely reaches the pty's termios, and 0xFF (IAC) bytes pass intact both ways.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "io/open_port.hpp"
#include "io_test_util.hpp"
#include "support/process.hpp"
#include "support/pty.hpp"
#include "support/ser2net.hpp"

using namespace camdump;
using namespace camdump::io;
using namespace camdump::io::testing;
using namespace std::chrono_literals;
using namespace std::string_literals;
namespace ct = camdump::test;

class Rfc2217 : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!ct::Ser2net::available()) GTEST_SKIP() << "ser2net not installed";
    pty_ = std::make_unique<ct::PtyPair>();
    ser2net_ = std::make_unique<ct::Ser2net>(ct::Ser2net::start(pty_->slave_path()));
  }
  std::unique_ptr<ct::PtyPair> pty_;
  std::unique_ptr<ct::Ser2net> ser2net_;
};

TEST_F(Rfc2217, ConnectSetsTheRequestedRateAndSetBaudChangesIt) {
  auto t = open_port(ser2net_->rfc2217_spec(), {.baud = 9600});
  EXPECT_TRUE(t->eight_bit_clean());
  EXPECT_EQ(t->baud(), 9600u);
  EXPECT_EQ(pty_->baud(), 9600u);
  ASSERT_TRUE(t->set_baud(57600));
  EXPECT_EQ(t->baud(), 57600u);
  EXPECT_EQ(pty_->baud(), 57600u);
  EXPECT_NE(t->describe().find("at 57600"), std::string::npos);
  termios tio = pty_->attrs();  // 8N1, no flow control
  EXPECT_EQ(tio.c_cflag & CSIZE, static_cast<tcflag_t>(CS8));
  EXPECT_EQ(tio.c_cflag & (PARENB | CSTOPB | CRTSCTS), 0u);
}

TEST_F(Rfc2217, AllBytesIncludingIacPassBothWays) {
  auto t = open_port(ser2net_->rfc2217_spec());
  // CR NUL and CR LF are Telnet's own line ends (RFC 854): they must pass as bytes too.
  std::string all = all_bytes() + std::string(64, '\xff') + "\r\n\r\0x"s + std::string(1, '\0');
  t->write(all);
  EXPECT_EQ(ct::read_fd_n(pty_->master(), all.size(), 3000ms), all);
  ASSERT_TRUE(ct::write_all(pty_->master(), all));
  EXPECT_EQ(read_n(*t, all.size(), 3000ms), all);
  EXPECT_EQ(t->rx_bytes(), all.size());  // data bytes only, telnet overhead not counted
}

TEST_F(Rfc2217, RawPortRefusesRfc2217Clearly) {
  // The raw accepter does not speak telnet: no DO COM-PORT-OPTION arrives.
  try {
    open_port("rfc2217:127.0.0.1:" + std::to_string(ser2net_->raw_port()));
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unsupported);
    EXPECT_NE(e.hint().find("tcp:HOST:PORT"), std::string::npos);
  }
}
