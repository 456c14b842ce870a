// SPDX-License-Identifier: MIT
// A local serial port (`/dev/ttyUSB0`, `/dev/ttyACM0`, ...) through libserialport: 8N1, no flow
// control, at --baud (default 115200); set_baud() changes the rate in place. 8-bit clean.
#pragma once
#include <cstdint>
#include <string>

#include "io/transport.hpp"

struct sp_port;

namespace camdump::io {

class SerialTransport : public Transport {
 public:
  /// Opens and configures the port. Errors: Error(NotFound) when the device does not exist (hint
  /// lists the /dev/ttyUSB* and /dev/ttyACM* present), Error(Permission) (hint: the device's group),
  /// Error(Io) otherwise (not a serial port; busy: another program holds it, named). The port is
  /// taken exclusively (io/port_lock.hpp) until destruction.
  SerialTransport(const std::string& device, uint32_t baud);
  ~SerialTransport() override;
  SerialTransport(const SerialTransport&) = delete;
  SerialTransport& operator=(const SerialTransport&) = delete;

  bool set_baud(uint32_t baud) override;
  std::optional<uint32_t> baud() const override { return baud_; }
  bool eight_bit_clean() const override { return true; }
  std::string describe() const override { return device_ + " at " + std::to_string(baud_); }

 protected:
  size_t do_read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) override;
  void do_write(std::span<const uint8_t> data) override;

 private:
  std::string device_;
  uint32_t baud_;
  sp_port* port_ = nullptr;
  int fd_ = -1;  ///< libserialport's descriptor, for TIOCNXCL at close
};

/// "/dev/ttyUSB0, /dev/ttyACM1" (the USB serial devices present), or "" when none.
std::string present_serial_devices();

}  // namespace camdump::io
