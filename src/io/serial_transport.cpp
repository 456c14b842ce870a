// SPDX-License-Identifier: MIT
// libserialport-backed serial transport with user-facing error hints.
#include "io/serial_transport.hpp"

#include <libserialport.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "core/error.hpp"
#include "io/port_lock.hpp"

namespace camdump::io {
namespace {

std::string sp_message() {
  char* m = sp_last_error_message();
  std::string s = m ? m : "unknown error";
  sp_free_error_message(m);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// The OS message only exists after SP_ERR_FAIL (libserialport.h, "Error handling").
std::string sp_error(sp_return r) {
  return r == SP_ERR_FAIL ? sp_message() : "libserialport error " + std::to_string(static_cast<int>(r));
}

void check(sp_return r, const std::string& what) {
  if (r < 0) fail(ErrorKind::Io, what + ": " + sp_error(r));
}

}  // namespace

std::string present_serial_devices() {
  // /dev/ttyUSB*, then /dev/ttyACM*, each sorted (a directory scan: glob(3) is not thread-safe).
  std::string list;
  for (const char* prefix : {"ttyUSB", "ttyACM"}) {
    std::vector<std::string> names;
    std::error_code ec;
    for (std::filesystem::directory_iterator it("/dev", ec), end; !ec && it != end; it.increment(ec)) {
      std::string name = it->path().filename().string();
      if (name.starts_with(prefix)) names.push_back("/dev/" + name);
    }
    std::sort(names.begin(), names.end());
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  }
  return list;
}

SerialTransport::SerialTransport(const std::string& device, uint32_t baud) : device_(device), baud_(baud) {
  struct stat st {};
  if (::stat(device.c_str(), &st) != 0 && errno == ENOENT) {
    std::string present = present_serial_devices();
    fail(ErrorKind::NotFound, "serial port " + device + " does not exist",
         present.empty() ? "no /dev/ttyUSB* or /dev/ttyACM* is present: is the USB-serial adapter plugged in?"
                         : "present: " + present);
  }
  if (sp_return r = sp_get_port_by_name(device.c_str(), &port_); r != SP_OK) {
    if (r == SP_ERR_ARG)  // not under /sys/class/tty: a regular file, /dev/null, ...
      fail(ErrorKind::Io, device + " is not a serial port", "give the serial adapter's device, e.g. /dev/ttyUSB0");
    fail(ErrorKind::Io, "serial port " + device + ": " + sp_error(r));
  }
  if (sp_return r = sp_open(port_, SP_MODE_READ_WRITE); r != SP_OK) {
    int code = r == SP_ERR_FAIL ? sp_last_error_code() : 0;
    std::string msg = sp_error(r);
    sp_free_port(port_);
    port_ = nullptr;
    if (code == EACCES || code == EPERM) fail_permission(device);
    if (code == EBUSY) fail_busy(device);  // another program set TIOCEXCL
    fail(ErrorKind::Io, "cannot open " + device + ": " + msg, "is it a serial port?");
  }
  try {
    int fd = -1;
    if (sp_get_port_handle(port_, &fd) == SP_OK && fd >= 0) {
      lock_port(fd, device_);
      fd_ = fd;
    }
    check(sp_set_bits(port_, 8), device_);
    check(sp_set_parity(port_, SP_PARITY_NONE), device_);
    check(sp_set_stopbits(port_, 1), device_);
    check(sp_set_flowcontrol(port_, SP_FLOWCONTROL_NONE), device_);
    if (!set_baud(baud))
      fail(ErrorKind::Unsupported, device_ + ": cannot set " + std::to_string(baud) + " baud",
           "use a standard rate such as 115200");
  } catch (...) {
    sp_close(port_);
    sp_free_port(port_);
    port_ = nullptr;
    throw;
  }
}

SerialTransport::~SerialTransport() {
  if (port_) {
    if (fd_ >= 0) unlock_port(fd_);
    sp_close(port_);
    sp_free_port(port_);
  }
}

bool SerialTransport::set_baud(uint32_t baud) {
  sp_drain(port_);  // let queued bytes leave at the old rate first (tcdrain)
  if (sp_set_baudrate(port_, static_cast<int>(baud)) != SP_OK) return false;
  baud_ = baud;
  return true;
}

size_t SerialTransport::do_read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) {
  if (buf.empty()) return 0;
  sp_return r = timeout.count() <= 0
                    ? sp_nonblocking_read(port_, buf.data(), buf.size())
                    : sp_blocking_read_next(port_, buf.data(), buf.size(), static_cast<unsigned>(timeout.count()));
  if (r < 0) fail(ErrorKind::Io, device_ + ": read failed: " + sp_error(r), "was the adapter unplugged?");
  return static_cast<size_t>(r);
}

void SerialTransport::do_write(std::span<const uint8_t> data) {
  sp_return r = sp_blocking_write(port_, data.data(), data.size(), 0);
  if (r < 0 || static_cast<size_t>(r) != data.size())
    fail(ErrorKind::Io, device_ + ": write failed: " + (r < 0 ? sp_error(r) : "short write"),
         "was the adapter unplugged?");
}

}  // namespace camdump::io
