// SPDX-License-Identifier: MIT
// The wire time of a console session: a Transport decorator that charges every character read or
// written its time on the line at the rate in effect when it passed (8N1: 10 bit times per
// character), so a dump that changes the rate midway (the stub's fast baud) reports the time its
// characters needed at the rates used. Device time (`sf read`, waiting for a prompt) is not wire
// time and is not counted. Ports without a line rate (tcp:, exec:) have no wire time: known() is
// false once such a character passed.
#pragma once
#include <memory>

#include "io/transport.hpp"

namespace camdump::io {

class LineMeter : public Transport {
 public:
  explicit LineMeter(std::unique_ptr<Transport> inner) : inner_(std::move(inner)) {}

  bool set_baud(uint32_t baud) override { return inner_->set_baud(baud); }
  std::optional<uint32_t> baud() const override { return inner_->baud(); }
  bool eight_bit_clean() const override { return inner_->eight_bit_clean(); }
  std::string describe() const override { return inner_->describe(); }
  Transport& inner() { return *inner_; }

  /// Seconds the characters so far occupy the line (both directions added up).
  double seconds() const { return seconds_; }
  /// False when some characters passed without a known rate.
  bool known() const { return known_; }

 protected:
  size_t do_read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) override {
    size_t n = inner_->read(buf, timeout);
    charge(n);
    return n;
  }
  void do_write(std::span<const uint8_t> data) override {
    inner_->write(data);
    charge(data.size());
  }

 private:
  void charge(size_t n) {
    if (n == 0) return;
    auto b = inner_->baud();
    if (b && *b) seconds_ += static_cast<double>(n) * 10.0 / static_cast<double>(*b);
    else known_ = false;
  }
  std::unique_ptr<Transport> inner_;
  double seconds_ = 0;
  bool known_ = true;
};

}  // namespace camdump::io
