// SPDX-License-Identifier: MIT
// What can be plugged in: serial ports (libserialport's enumeration, with the stable
// /dev/serial/by-id/ name udev makes, USB IDs and the kernel driver from sysfs) and CH341A
// programmers in USB programmer mode (1a86:5512, found with libusb, with whether this user may
// open their /dev/bus/usb node). For `camdump ports` and for PORT `auto`.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace camdump::io {

struct SerialPortInfo {
  std::string path;   ///< /dev/ttyUSB0
  std::string by_id;  ///< /dev/serial/by-id/usb-1a86_USB_Serial-if00-port0, or ""
  bool usb = false;   ///< a USB adapter (not a built-in UART)
  uint16_t vid = 0, pid = 0;
  std::string manufacturer, product, serial;
  std::string driver;            ///< kernel driver from sysfs (ch341, cp210x, ftdi_sio, pl2303), or ""
  std::string note;              ///< the usual adapter this is ("CH340/CH341 USB-serial"), or ""
  std::optional<bool> can_open;  ///< read+write access to the node for this user
};

struct ProgrammerInfo {
  std::string name = "CH341A";
  uint8_t bus = 0, address = 0;  ///< as lsusb prints them (--device BUS:ADDR)
  uint16_t vid = 0, pid = 0;
  std::string node;       ///< /dev/bus/usb/BBB/DDD
  bool can_open = false;  ///< read+write access to the node for this user
};

/// Every serial port libserialport finds, USB adapters first, by path.
std::vector<SerialPortInfo> list_serial_ports();
/// CH341A programmers (1a86:5512) on the USB buses; empty when libusb cannot start.
std::vector<ProgrammerInfo> list_programmers();

/// The note for a USB-serial chip by VID:PID ("" when not one of the usual ones).
std::string adapter_note(uint16_t vid, uint16_t pid);

/// PORT `auto`: the one USB serial adapter present. Throws Error(NotFound) when there is none,
/// Error(Usage) listing them when there are several.
SerialPortInfo auto_port();
/// The choice auto_port() makes among `ports` (built-in UARTs such as /dev/ttyS0 never count).
SerialPortInfo choose_auto_port(const std::vector<SerialPortInfo>& ports);

}  // namespace camdump::io
