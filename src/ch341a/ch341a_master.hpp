// SPDX-License-Identifier: MIT
// The CH341A as a spi::SpiMaster: each frame is one OUT transfer (≤16 KiB, CS pluck + 0xA8
// packets) answered by ≤31-byte IN transfers, of which up to `in_flight` (default 32, as
// flashrom and SNANDer) are queued at once so the device never waits for the host. Faults
// (unplug, timeout, stall) cancel everything outstanding and throw camdump::Error.
#pragma once
#include <cstdint>
#include <vector>

#include "ch341a/usb_transport.hpp"
#include "spi/spi_master.hpp"

namespace camdump::ch341a {

class Ch341aMaster : public spi::SpiMaster {
 public:
  explicit Ch341aMaster(UsbTransport& usb, unsigned in_flight = 32);
  /// Releases the pins (all inputs), as flashrom does at shutdown.
  ~Ch341aMaster() override;
  /// Stream mode + pins on. Throws Error(Usb) when the device does not take it.
  void init();

  void transfer(std::span<const uint8_t> write, std::span<uint8_t> read) override;
  spi::SpiLimits limits() const override;
  spi::BusStats stats() const override { return stats_; }

 private:
  [[noreturn]] void abort_and_throw(UsbStatus why, const char* what);
  UsbTransport& usb_;
  unsigned depth_;
  bool pins_on_ = false;
  spi::BusStats stats_;
  std::vector<uint8_t> out_, in_;
  std::vector<UsbCompletion> done_;
  unsigned outstanding_ = 0;
};

}  // namespace camdump::ch341a
