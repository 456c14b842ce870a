// SPDX-License-Identifier: MIT
#include "ch341a/libusb_transport.hpp"

#include <fmt/core.h>
#include <libusb-1.0/libusb.h>

#include <charconv>
#include <deque>
#include <list>

#include "ch341a/protocol.hpp"
#include "core/error.hpp"

namespace camdump::ch341a {

struct LibusbTransport::Impl {
  libusb_context* ctx = nullptr;
  libusb_device_handle* h = nullptr;
  bool reattach = false;
  struct Slot {
    Impl* impl;
    libusb_transfer* t;
    uint64_t tag;
    bool active;
  };
  std::list<Slot> slots;  // stable addresses for user_data
  std::vector<UsbCompletion>* sink = nullptr;
  std::deque<UsbCompletion> pending;

  ~Impl() {
    for (auto& s : slots) libusb_free_transfer(s.t);
    if (h) {
      libusb_release_interface(h, 0);
      if (reattach) libusb_attach_kernel_driver(h, 0);
      libusb_close(h);
    }
    if (ctx) libusb_exit(ctx);
  }

  static UsbStatus map(libusb_transfer_status s) {
    switch (s) {
      case LIBUSB_TRANSFER_COMPLETED: return UsbStatus::Completed;
      case LIBUSB_TRANSFER_TIMED_OUT: return UsbStatus::TimedOut;
      case LIBUSB_TRANSFER_STALL: return UsbStatus::Stall;
      case LIBUSB_TRANSFER_NO_DEVICE: return UsbStatus::NoDevice;
      case LIBUSB_TRANSFER_OVERFLOW: return UsbStatus::Overflow;
      case LIBUSB_TRANSFER_CANCELLED: return UsbStatus::Cancelled;
      default: return UsbStatus::Error;
    }
  }

  static void LIBUSB_CALL on_done(libusb_transfer* t) {
    auto* s = static_cast<Slot*>(t->user_data);
    s->active = false;
    s->impl->pending.push_back({s->tag, map(t->status), size_t(t->actual_length)});
  }

  Slot& free_slot() {
    for (auto& s : slots)
      if (!s.active) return s;
    libusb_transfer* t = libusb_alloc_transfer(0);
    if (!t) fail(ErrorKind::Usb, "libusb_alloc_transfer failed");
    slots.push_back({this, t, 0, false});
    return slots.back();
  }

  void submit(unsigned char ep, uint8_t* buf, size_t len, uint64_t tag) {
    Slot& s = free_slot();
    libusb_fill_bulk_transfer(s.t, h, ep, buf, int(len), &Impl::on_done, &s, kTimeoutMs);
    s.tag = tag;
    int rc = libusb_submit_transfer(s.t);
    if (rc != 0) {
      pending.push_back({tag, rc == LIBUSB_ERROR_NO_DEVICE ? UsbStatus::NoDevice : UsbStatus::Error, 0});
      return;
    }
    s.active = true;
  }
};

DeviceAddress parse_device_address(const std::string& text) {
  DeviceAddress a;
  auto colon = text.find(':');
  unsigned bus = 0, addr = 0;
  auto ok = [](const char* b, const char* e, unsigned& v) {
    auto [p, ec] = std::from_chars(b, e, v);
    return ec == std::errc() && p == e && b != e && v < 256;
  };
  if (colon == std::string::npos || !ok(text.data(), text.data() + colon, bus) ||
      !ok(text.data() + colon + 1, text.data() + text.size(), addr))
    fail(ErrorKind::Usage, fmt::format("--device {}: expected BUS:ADDR as lsusb prints it (e.g. 3:7)", text));
  a.bus = uint8_t(bus);
  a.address = uint8_t(addr);
  return a;
}

std::string udev_rule_hint() {
  // The rule camdump ships (packaging/70-camdump-ch341a.rules): TAG+="uaccess" for the user at
  // the seat, group plugdev for the others.
  return "install camdump's udev rule (the package puts it in /usr/lib/udev/rules.d/70-camdump-ch341a.rules; "
         "from a source tree: sudo install -m644 packaging/70-camdump-ch341a.rules /etc/udev/rules.d/), run "
         "'sudo udevadm control --reload', then replug the programmer (over ssh: be in the plugdev group)";
}

LibusbTransport::LibusbTransport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  libusb_device* d = libusb_get_device(impl_->h);
  describe_ = fmt::format("CH341A at USB {:03}:{:03}", libusb_get_bus_number(d), libusb_get_device_address(d));
}

LibusbTransport::~LibusbTransport() = default;

std::unique_ptr<LibusbTransport> LibusbTransport::open(std::optional<DeviceAddress> where) {
  auto impl = std::make_unique<Impl>();
  if (int rc = libusb_init(&impl->ctx); rc != 0)
    fail(ErrorKind::Usb, fmt::format("libusb_init failed: {}", libusb_error_name(rc)));
  libusb_device** list = nullptr;
  ssize_t n = libusb_get_device_list(impl->ctx, &list);
  libusb_device* found = nullptr;
  bool serial_mode = false;
  for (ssize_t i = 0; i < n; ++i) {
    libusb_device_descriptor dd{};
    if (libusb_get_device_descriptor(list[i], &dd) != 0 || dd.idVendor != kVid) continue;
    if (where && (libusb_get_bus_number(list[i]) != where->bus || libusb_get_device_address(list[i]) != where->address))
      continue;
    if (dd.idProduct == kPidSerial) serial_mode = true;
    if (dd.idProduct == kPid && !found) found = libusb_ref_device(list[i]);
  }
  if (list) libusb_free_device_list(list, 1);
  if (!found) {
    if (serial_mode)
      fail(ErrorKind::Unsupported, "the CH341A is in serial (UART) mode (1a86:5523)",
           "move the mode jumper on the programmer to SPI/I2C (pins 1-2 on most boards) and replug");
    fail(ErrorKind::NotFound,
         where ? fmt::format("no CH341A (1a86:5512) at USB {}:{}", where->bus, where->address)
               : std::string("no CH341A programmer (1a86:5512) found"),
         "plug it in (lsusb should list 1a86:5512); in a VM, pass the USB device through");
  }
  int rc = libusb_open(found, &impl->h);
  libusb_unref_device(found);
  if (rc == LIBUSB_ERROR_ACCESS) fail(ErrorKind::Permission, "no permission to open the CH341A", udev_rule_hint());
  if (rc != 0) fail(ErrorKind::Usb, fmt::format("cannot open the CH341A: {}", libusb_error_name(rc)));
  rc = libusb_detach_kernel_driver(impl->h, 0);
  impl->reattach = rc == 0;
  if (rc = libusb_claim_interface(impl->h, 0); rc != 0)
    fail(ErrorKind::Usb, fmt::format("cannot claim the CH341A: {}", libusb_error_name(rc)),
         "another program (flashrom, ch341prog, a kernel driver) is using it; close it and retry");
  return std::unique_ptr<LibusbTransport>(new LibusbTransport(std::move(impl)));
}

void LibusbTransport::submit_out(std::span<const uint8_t> data, uint64_t tag) {
  impl_->submit(kEpOut, const_cast<uint8_t*>(data.data()), data.size(), tag);
}

void LibusbTransport::submit_in(std::span<uint8_t> buf, uint64_t tag) {
  impl_->submit(kEpIn, buf.data(), buf.size(), tag);
}

void LibusbTransport::wait(std::chrono::milliseconds timeout, std::vector<UsbCompletion>& done) {
  if (impl_->pending.empty()) {
    timeval tv{long(timeout.count() / 1000), long(timeout.count() % 1000) * 1000};
    int rc = libusb_handle_events_timeout(impl_->ctx, &tv);
    if (rc == LIBUSB_ERROR_NO_DEVICE) {
      for (auto& s : impl_->slots)
        if (s.active) s.active = false, impl_->pending.push_back({s.tag, UsbStatus::NoDevice, 0});
    }
  }
  while (!impl_->pending.empty()) {
    done.push_back(impl_->pending.front());
    impl_->pending.pop_front();
  }
}

void LibusbTransport::cancel_all() {
  for (auto& s : impl_->slots)
    if (s.active) libusb_cancel_transfer(s.t);
}

UsbStatus LibusbTransport::write_sync(std::span<const uint8_t> data) {
  int actual = 0;
  int rc =
      libusb_bulk_transfer(impl_->h, kEpOut, const_cast<uint8_t*>(data.data()), int(data.size()), &actual, kTimeoutMs);
  if (rc == 0) return UsbStatus::Completed;
  if (rc == LIBUSB_ERROR_NO_DEVICE) return UsbStatus::NoDevice;
  if (rc == LIBUSB_ERROR_TIMEOUT) return UsbStatus::TimedOut;
  if (rc == LIBUSB_ERROR_PIPE) return UsbStatus::Stall;
  return UsbStatus::Error;
}

}  // namespace camdump::ch341a
