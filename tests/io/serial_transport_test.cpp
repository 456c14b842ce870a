// SPDX-License-Identifier: MIT
// Serial PORTs: libserialport refuses pseudo-terminals (no /sys/class/tty entry), so a pty the
// test owns is opened through the termios fallback (PtyDeviceTransport); the libserialport path
// is covered by its error cases (missing device, not a serial port).
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "io/open_port.hpp"
#include "io/pty_device_transport.hpp"
#include "io/serial_transport.hpp"
#include "io_test_util.hpp"
#include "support/process.hpp"
#include "support/pty.hpp"

using namespace camdump;
using namespace camdump::io;
using namespace camdump::io::testing;
using namespace std::chrono_literals;
namespace ct = camdump::test;

TEST(SerialTransport, PtyPortOpensAt115200ByDefaultAndChangesRate) {
  ct::PtyPair pty;
  EXPECT_TRUE(is_pty_device(pty.slave_path()));
  EXPECT_FALSE(is_pty_device("/dev/null"));
  auto t = open_port(pty.slave_path());
  EXPECT_TRUE(t->eight_bit_clean());
  EXPECT_EQ(t->baud(), 115200u);
  EXPECT_EQ(pty.baud(), 115200u);
  EXPECT_EQ(t->describe(), pty.slave_path() + " (pty) at 115200");
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

TEST(SerialTransport, PtyPortAppliesBaudOptionAndRejectsOddRates) {
  ct::PtyPair pty;
  auto t = open_port(pty.slave_path(), {.baud = 9600});
  EXPECT_EQ(pty.baud(), 9600u);
  EXPECT_FALSE(t->set_baud(12345));
  EXPECT_EQ(t->baud(), 9600u);
}

TEST(SerialTransport, LibserialportRefusesAPty) {
  ct::PtyPair pty;
  try {
    SerialTransport t(pty.slave_path(), 115200);
    ADD_FAILURE() << "libserialport accepted a pty: the fallback may be unnecessary";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), pty.slave_path() + " is not a serial port");
  }
}

TEST(SerialTransport, MissingDeviceSaysSoAndListsPresentOnes) {
  try {
    open_port("/dev/ttyUSB97");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::NotFound);
    EXPECT_EQ(std::string(e.what()), "serial port /dev/ttyUSB97 does not exist");
    std::string present = present_serial_devices();
    if (present.empty()) EXPECT_NE(e.hint().find("plugged in"), std::string::npos) << e.hint();
    else EXPECT_EQ(e.hint(), "present: " + present);
  }
}

TEST(SerialTransport, NotASerialPortIsAnIoError) {
  try {
    open_port("/dev/null");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Io) << e.what();
    EXPECT_EQ(std::string(e.what()), "/dev/null is not a serial port");
  }
}
