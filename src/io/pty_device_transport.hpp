// SPDX-License-Identifier: MIT
// A pseudo-terminal given as a serial PORT (`/dev/pts/3`, or a link to one such as socat's
// `pty,link=/tmp/ttyV0`, or QEMU's `-serial pty`). libserialport only opens devices listed under
// /sys/class/tty, which pty slaves are not, so open_port falls back to this: the slave is opened
// and set raw 8N1 without flow control through termios(3). set_baud() stores the rate in the pty's
// termios (ptys carry no real line rate). 8-bit clean. Taken exclusively like a serial port
// (io/port_lock.hpp).
#pragma once
#include <cstdint>
#include <string>

#include "io/transport.hpp"

namespace camdump::io {

class PtyDeviceTransport : public Transport {
 public:
  PtyDeviceTransport(const std::string& path, uint32_t baud);
  ~PtyDeviceTransport() override;
  PtyDeviceTransport(const PtyDeviceTransport&) = delete;
  PtyDeviceTransport& operator=(const PtyDeviceTransport&) = delete;

  bool set_baud(uint32_t baud) override;
  std::optional<uint32_t> baud() const override { return baud_; }
  bool eight_bit_clean() const override { return true; }
  std::string describe() const override { return path_ + " (pty) at " + std::to_string(baud_); }

 protected:
  size_t do_read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) override;
  void do_write(std::span<const uint8_t> data) override;

 private:
  std::string path_;
  uint32_t baud_;
  int fd_ = -1;
};

/// True when `path` is (or links to) a Unix98 pty slave under /dev/pts/.
bool is_pty_device(const std::string& path);

}  // namespace camdump::io
