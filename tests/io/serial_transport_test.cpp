// SPDX-License-Identifier: MIT
// Serial ports through libserialport: a pty the test owns stands in for /dev/ttyUSB0; errors for
// missing devices.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "io/open_port.hpp"
#include "io/serial_transport.hpp"
#include "io_test_util.hpp"
#include "support/process.hpp"
#include "support/pty.hpp"

using namespace camdump;
using namespace camdump::io;
using namespace camdump::io::testing;
using namespace std::chrono_literals;
namespace ct = camdump::test;

TEST(SerialTransport, OpensAPtyAt115200ByDefaultAndChangesRate) {
  ct::PtyPair pty;
  std::unique_ptr<Transport> t;
  try {
    t = open_port(pty.slave_path());
  } catch (const Error& e) {
    GTEST_SKIP() << "libserialport does not accept a pty here: " << e.what();
  }
  EXPECT_TRUE(t->eight_bit_clean());
  EXPECT_EQ(t->baud(), 115200u);
  EXPECT_EQ(pty.baud(), 115200u);
  EXPECT_EQ(t->describe(), pty.slave_path() + " at 115200");
  ASSERT_TRUE(t->set_baud(57600));
  EXPECT_EQ(pty.baud(), 57600u);
  termios tio = pty.attrs();
  EXPECT_EQ(tio.c_cflag & CSIZE, static_cast<tcflag_t>(CS8));
  EXPECT_EQ(tio.c_cflag & (PARENB | CSTOPB | CRTSCTS), 0u);
  EXPECT_EQ(tio.c_iflag & (IXON | IXOFF), 0u);

  std::string all = all_bytes();
  t->write(all);
  EXPECT_EQ(ct::read_fd_n(pty.master(), 256, 3000ms), all);
  ASSERT_TRUE(ct::write_all(pty.master(), all));
  EXPECT_EQ(read_n(*t, 256, 3000ms), all);
  uint8_t b[4];
  EXPECT_EQ(t->read(b, 20ms), 0u);
  EXPECT_EQ(t->read(b, 0ms), 0u);
}

TEST(SerialTransport, BaudOptionIsApplied) {
  ct::PtyPair pty;
  std::unique_ptr<Transport> t;
  try {
    t = open_port(pty.slave_path(), {.baud = 9600});
  } catch (const Error& e) {
    GTEST_SKIP() << "libserialport does not accept a pty here: " << e.what();
  }
  EXPECT_EQ(pty.baud(), 9600u);
}

TEST(SerialTransport, MissingDeviceSaysSoAndListsPresentOnes) {
  try {
    open_port("/dev/ttyUSB97");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::NotFound);
    EXPECT_EQ(std::string(e.what()), "serial port /dev/ttyUSB97 does not exist");
    std::string present = present_serial_devices();
    if (present.empty())
      EXPECT_NE(e.hint().find("plugged in"), std::string::npos) << e.hint();
    else
      EXPECT_EQ(e.hint(), "present: " + present);
  }
}

TEST(SerialTransport, NotASerialPortIsAnIoError) {
  try {
    open_port("/dev/null");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Io) << e.what();
  }
}
