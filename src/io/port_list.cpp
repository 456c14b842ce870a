// SPDX-License-Identifier: MIT
#include "io/port_list.hpp"

#include <fmt/core.h>
#include <libserialport.h>
#include <libusb-1.0/libusb.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "core/error.hpp"

namespace camdump::io {
namespace fs = std::filesystem;

std::string adapter_note(uint16_t vid, uint16_t pid) {
  // USB IDs as the Linux drivers list them (drivers/usb/serial/ch341.c, cp210x.c, ftdi_sio_ids.h,
  // pl2303.h) and the CH341A's two modes (1a86:5512 programmer, 1a86:5523 serial).
  struct Known {
    uint16_t vid, pid;
    const char* note;
  };
  static constexpr Known kKnown[] = {
      {0x1a86, 0x7523, "CH340/CH341 USB-serial"},
      {0x1a86, 0x5523, "CH341 in serial mode (a CH341A programmer with its jumper on UART)"},
      {0x1a86, 0x55d4, "CH9102 USB-serial"},
      {0x10c4, 0xea60, "CP210x USB-serial (Silicon Labs)"},
      {0x0403, 0x6001, "FT232R USB-serial (FTDI)"},
      {0x0403, 0x6010, "FT2232 USB-serial (FTDI, two ports)"},
      {0x0403, 0x6014, "FT232H USB-serial (FTDI)"},
      {0x0403, 0x6015, "FT-X USB-serial (FTDI)"},
      {0x067b, 0x2303, "PL2303 USB-serial (Prolific)"},
  };
  for (const auto& k : kKnown)
    if (k.vid == vid && k.pid == pid) return k.note;
  switch (vid) {
    case 0x1a86: return "WCH (QinHeng) USB-serial";
    case 0x10c4: return "Silicon Labs USB-serial";
    case 0x0403: return "FTDI USB-serial";
    case 0x067b: return "Prolific USB-serial";
    default: return "";
  }
}

namespace {

std::string sysfs_driver(const std::string& path) {
  std::error_code ec;
  fs::path link = fs::path("/sys/class/tty") / fs::path(path).filename() / "device" / "driver";
  fs::path target = fs::read_symlink(link, ec);
  return ec ? std::string() : target.filename().string();
}

std::string by_id_link(const std::string& path) {
  std::error_code ec;
  fs::path real = fs::canonical(path, ec);
  if (ec) return "";
  for (const auto& e : fs::directory_iterator("/dev/serial/by-id", ec)) {
    std::error_code ec2;
    if (fs::canonical(e.path(), ec2) == real && !ec2) return e.path().string();
  }
  return "";
}

std::string str(const char* s) { return s ? s : ""; }

}  // namespace

std::vector<SerialPortInfo> list_serial_ports() {
  std::vector<SerialPortInfo> out;
  sp_port** ports = nullptr;
  if (sp_list_ports(&ports) != SP_OK) return out;
  for (sp_port** p = ports; *p; ++p) {
    SerialPortInfo i;
    i.path = str(sp_get_port_name(*p));
    i.usb = sp_get_port_transport(*p) == SP_TRANSPORT_USB;
    if (i.usb) {
      int vid = 0, pid = 0;
      if (sp_get_port_usb_vid_pid(*p, &vid, &pid) == SP_OK) {
        i.vid = static_cast<uint16_t>(vid);
        i.pid = static_cast<uint16_t>(pid);
      }
      i.manufacturer = str(sp_get_port_usb_manufacturer(*p));
      i.product = str(sp_get_port_usb_product(*p));
      i.serial = str(sp_get_port_usb_serial(*p));
      i.note = adapter_note(i.vid, i.pid);
    }
    i.by_id = by_id_link(i.path);
    i.driver = sysfs_driver(i.path);
    i.can_open = ::access(i.path.c_str(), R_OK | W_OK) == 0;
    out.push_back(std::move(i));
  }
  sp_free_port_list(ports);
  std::sort(out.begin(), out.end(),
            [](const SerialPortInfo& a, const SerialPortInfo& b) { return a.usb != b.usb ? a.usb : a.path < b.path; });
  return out;
}

std::vector<ProgrammerInfo> list_programmers() {
  std::vector<ProgrammerInfo> out;
  libusb_context* ctx = nullptr;
  if (libusb_init(&ctx) != 0) return out;
  libusb_device** list = nullptr;
  ssize_t n = libusb_get_device_list(ctx, &list);
  for (ssize_t k = 0; k < n; ++k) {
    libusb_device_descriptor d{};
    if (libusb_get_device_descriptor(list[k], &d) != 0) continue;
    if (d.idVendor != 0x1a86 || d.idProduct != 0x5512) continue;  // CH341A, programmer (EPP/I2C/SPI) mode
    ProgrammerInfo p;
    p.vid = d.idVendor;
    p.pid = d.idProduct;
    p.bus = libusb_get_bus_number(list[k]);
    p.address = libusb_get_device_address(list[k]);
    p.node = fmt::format("/dev/bus/usb/{:03}/{:03}", p.bus, p.address);
    p.can_open = ::access(p.node.c_str(), R_OK | W_OK) == 0;
    out.push_back(p);
  }
  if (n >= 0) libusb_free_device_list(list, 1);
  libusb_exit(ctx);
  return out;
}

SerialPortInfo auto_port() { return choose_auto_port(list_serial_ports()); }

SerialPortInfo choose_auto_port(const std::vector<SerialPortInfo>& ports) {
  std::vector<SerialPortInfo> usb;
  for (const auto& p : ports)
    if (p.usb) usb.push_back(p);
  if (usb.size() == 1) return usb.front();
  if (usb.empty())
    fail(ErrorKind::NotFound, "PORT auto: no USB serial adapter is plugged in",
         "plug in the USB-serial adapter (camdump ports lists what is present), or give the PORT");
  std::string list;
  for (const auto& p : usb)
    list += fmt::format("{}{} ({})", list.empty() ? "" : ", ", p.path,
                        p.note.empty() ? fmt::format("{:04x}:{:04x}", p.vid, p.pid) : p.note);
  fail(ErrorKind::Usage, fmt::format("PORT auto: {} USB serial adapters are present: {}", usb.size(), list),
       "give one of them as PORT (camdump ports shows their /dev/serial/by-id names)");
}

}  // namespace camdump::io
