// SPDX-License-Identifier: MIT
#include "ch341a/emu_device.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "ch341a/protocol.hpp"

namespace camdump::ch341a {

Ch341aEmu::Ch341aEmu(std::unique_ptr<SpiSlave> chip, EmuFaults faults)
    : chip_(std::move(chip)), faults_(faults), rng_(faults.seed) {
  if (faults_.flip_rate > 0) {
    std::geometric_distribution<uint64_t> g(std::min(faults_.flip_rate, 1.0));
    next_flip_ = g(rng_);
  }
}

Ch341aEmu::~Ch341aEmu() { save(); }

bool Ch341aEmu::save() const {
  if (save_.empty()) return true;
  const std::vector<uint8_t> data = chip_->contents();
  const std::string tmp = save_ + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) return false;
  bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
  ok = std::fclose(f) == 0 && ok;
  return ok && std::rename(tmp.c_str(), save_.c_str()) == 0;
}

void Ch341aEmu::in_submitted() {
  ++stats_.in_flight;
  stats_.max_in_flight = std::max(stats_.max_in_flight, stats_.in_flight);
}

void Ch341aEmu::in_finished() {
  if (stats_.in_flight) --stats_.in_flight;
}

void Ch341aEmu::check_faults() {
  uint64_t n = stats_.spi_bytes;
  if (faults_.unplug_after && n >= faults_.unplug_after) unplugged_ = true;
  if (faults_.stall_after && n >= faults_.stall_after) stalled_ = true;
  if (faults_.hang_after && n >= faults_.hang_after) hung_ = true;
}

UsbStatus Ch341aEmu::bulk_out(std::span<const uint8_t> data) {
  if (unplugged_) return UsbStatus::NoDevice;
  if (hung_) return UsbStatus::TimedOut;
  ++stats_.out_transfers;
  stats_.out_bytes += data.size();
  // The CH341A parses each 32-byte USB packet on its own (docs/reference/ch341a.md#framing).
  for (size_t off = 0; off < data.size(); off += kPacket)
    packet(data.subspan(off, std::min(kPacket, data.size() - off)));
  check_faults();
  return UsbStatus::Completed;
}

UsbStatus Ch341aEmu::bulk_in(std::span<uint8_t> buf, size_t& actual) {
  actual = 0;
  if (unplugged_) return UsbStatus::NoDevice;
  if (stalled_) return UsbStatus::Stall;
  if (hung_ || lens_.empty()) return UsbStatus::TimedOut;
  size_t len = lens_.front();
  if (len > buf.size()) return UsbStatus::Overflow;
  lens_.pop_front();
  if (len) std::memcpy(buf.data(), reply_.data() + reply_pos_, len);
  reply_pos_ += len;
  if (lens_.empty()) reply_.clear(), reply_pos_ = 0;
  actual = len;
  ++stats_.in_transfers;
  stats_.in_bytes += len;
  return UsbStatus::Completed;
}

void Ch341aEmu::set_cs(bool active) {
  if (active == cs_) return;
  cs_ = active;
  if (active) chip_->select();
  else chip_->deselect();
}

void Ch341aEmu::uio(std::span<const uint8_t> p) {
  for (size_t i = 1; i < p.size(); ++i) {
    uint8_t c = p[i];
    if (c == kUioEnd) break;
    switch (c & 0xC0) {
      case kUioOut: pins_out_ = c & 0x3F; break;
      case kUioDir: pins_dir_ = c & 0x3F; break;
      case kUioUs:     // delay: time is not modelled
      default: break;  // 0x00 IN is not used for SPI
    }
    // CS0 (D0) is asserted when driven low; an input floats high (board pull-up).
    set_cs((pins_dir_ & 1) && !(pins_out_ & 1));
  }
}

void Ch341aEmu::flip(std::span<uint8_t> miso) {
  uint64_t bits = miso.size() * 8;
  uint64_t pos = 0;
  std::geometric_distribution<uint64_t> g(std::min(faults_.flip_rate, 1.0));
  while (next_flip_ < bits - pos) {
    pos += next_flip_;
    miso[pos / 8] ^= uint8_t(1u << (pos % 8));
    ++stats_.flips;
    ++pos;
    next_flip_ = g(rng_);
    if (pos >= bits) return;
  }
  next_flip_ -= bits - pos;
}

void Ch341aEmu::packet(std::span<const uint8_t> p) {
  if (p.empty()) return;
  switch (p[0]) {
    case kCmdSpiStream: {
      size_t n = p.size() - 1;
      if (n == 0) break;  // nothing clocked, nothing to answer
      mosi_.resize(n);
      miso_.resize(n);
      for (size_t i = 0; i < n; ++i) mosi_[i] = reverse_byte(p[i + 1]);
      if (cs_) chip_->clock(mosi_, miso_);
      else std::fill(miso_.begin(), miso_.end(), 0xFF);  // nobody drives MISO
      if (faults_.flip_rate > 0) flip(miso_);
      stats_.spi_bytes += n;
      for (size_t i = 0; i < n; ++i) reply_.push_back(reverse_byte(miso_[i]));
      lens_.push_back(uint16_t(n));
      break;
    }
    case kCmdUioStream: uio(p); break;
    case kCmdI2cStream:  // speed / mode settings: the SPI clock is fixed (docs/reference/ch341a.md#clock)
    default: break;      // the part ignores unknown commands
  }
}

}  // namespace camdump::ch341a
