// SPDX-License-Identifier: MIT
// The USB seam below the CH341A driver: asynchronous bulk transfers on EP 0x02 (OUT) and EP 0x82
// (IN), completed by wait(). LibusbTransport talks to real hardware; SimTransport hands the same
// traffic to the emulated CH341A, so everything above (packetising, in-flight queue, error
// handling) is the code that runs on hardware.
#pragma once
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace camdump::ch341a {

enum class UsbStatus : uint8_t { Completed, TimedOut, Stall, NoDevice, Overflow, Cancelled, Error };

const char* usb_status_name(UsbStatus s) noexcept;

struct UsbCompletion {
  uint64_t tag = 0;
  UsbStatus status = UsbStatus::Completed;
  size_t actual = 0;
};

class UsbTransport {
 public:
  virtual ~UsbTransport() = default;
  /// Queue a bulk OUT transfer; `data` must stay valid until its completion.
  virtual void submit_out(std::span<const uint8_t> data, uint64_t tag) = 0;
  /// Queue a bulk IN transfer of up to buf.size() bytes (ends at a short packet).
  virtual void submit_in(std::span<uint8_t> buf, uint64_t tag) = 0;
  /// Wait up to `timeout` for completions; appends them to `done` (possibly none).
  virtual void wait(std::chrono::milliseconds timeout, std::vector<UsbCompletion>& done) = 0;
  /// Cancel everything outstanding; each still reports a completion (Cancelled) through wait().
  virtual void cancel_all() = 0;
  /// Send a small control-free setup write synchronously (stream config, pins).
  virtual UsbStatus write_sync(std::span<const uint8_t> data) = 0;
  virtual std::string describe() const = 0;
};

}  // namespace camdump::ch341a
