// SPDX-License-Identifier: MIT
// UsbTransport backed by the in-process CH341A emulator (Ch341aEmu): the driver's real transfer
// queueing runs unchanged; completions are delivered in submission order by wait().
#pragma once
#include <deque>
#include <memory>

#include "ch341a/emu_device.hpp"
#include "ch341a/usb_transport.hpp"

namespace camdump::ch341a {

class SimTransport : public UsbTransport {
 public:
  explicit SimTransport(std::unique_ptr<Ch341aEmu> emu) : emu_(std::move(emu)) {}
  void submit_out(std::span<const uint8_t> data, uint64_t tag) override;
  void submit_in(std::span<uint8_t> buf, uint64_t tag) override;
  void wait(std::chrono::milliseconds timeout, std::vector<UsbCompletion>& done) override;
  void cancel_all() override;
  UsbStatus write_sync(std::span<const uint8_t> data) override;
  std::string describe() const override;
  Ch341aEmu& emulator() { return *emu_; }

 private:
  struct Pending {
    bool out;
    std::span<uint8_t> buf;
    uint64_t tag;
  };
  std::unique_ptr<Ch341aEmu> emu_;
  std::deque<Pending> queue_;
  std::vector<UsbCompletion> cancelled_;
};

}  // namespace camdump::ch341a
