// SPDX-License-Identifier: MIT
// UsbTransport on a real CH341A through libusb-1.0: find 1a86:5512 (or BUS:ADDR), detach the
// kernel driver, claim interface 0, bulk EP 0x02 / 0x82, 1 s timeouts (docs/reference/ch341a.md#identity).
// Open failures are explained: absent, no permission (with a udev rule), serial-mode 5523.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "ch341a/usb_transport.hpp"

namespace camdump::ch341a {

struct DeviceAddress {
  uint8_t bus = 0, address = 0;
};

/// "3:7" or "003:007" -> {3, 7}. Throws Error(Usage) on garbage.
DeviceAddress parse_device_address(const std::string& text);

/// How to give users access: camdump's udev rule (packaging/70-camdump-ch341a.rules).
std::string udev_rule_hint();

class LibusbTransport : public UsbTransport {
 public:
  /// Opens the first 1a86:5512, or the one at `where`. Throws Error(NotFound / Permission / Usb).
  static std::unique_ptr<LibusbTransport> open(std::optional<DeviceAddress> where);
  ~LibusbTransport() override;

  void submit_out(std::span<const uint8_t> data, uint64_t tag) override;
  void submit_in(std::span<uint8_t> buf, uint64_t tag) override;
  void wait(std::chrono::milliseconds timeout, std::vector<UsbCompletion>& done) override;
  void cancel_all() override;
  UsbStatus write_sync(std::span<const uint8_t> data) override;
  std::string describe() const override { return describe_; }

  struct Impl;

 private:
  explicit LibusbTransport(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::string describe_;
};

}  // namespace camdump::ch341a
