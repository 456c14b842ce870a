// SPDX-License-Identifier: MIT
#include "ch341a/ch341a_master.hpp"

#include <fmt/core.h>

#include <algorithm>

#include "ch341a/protocol.hpp"
#include "core/error.hpp"

namespace camdump::ch341a {
namespace {

constexpr uint64_t kOutTag = ~uint64_t(0);

}  // namespace

Ch341aMaster::Ch341aMaster(UsbTransport& usb, unsigned in_flight) : usb_(usb), depth_(std::max(1u, in_flight)) {}

Ch341aMaster::~Ch341aMaster() {
  if (pins_on_) {
    auto off = enable_pins_packet(false);
    usb_.write_sync(off);
  }
}

void Ch341aMaster::init() {
  for (const auto& pkt : {config_stream_packet(), enable_pins_packet(true)}) {
    UsbStatus st = usb_.write_sync(pkt);
    ++stats_.transfers_out;
    stats_.bytes_out += pkt.size();
    if (st != UsbStatus::Completed)
      fail(ErrorKind::Usb, fmt::format("CH341A did not accept the SPI setup: {}", usb_status_name(st)),
           "unplug and replug the programmer");
  }
  pins_on_ = true;
}

spi::SpiLimits Ch341aMaster::limits() const { return {max_frame_bytes()}; }

void Ch341aMaster::abort_and_throw(UsbStatus why, const char* what) {
  usb_.cancel_all();
  for (int i = 0; i < 50 && outstanding_ > 0; ++i) {  // wait for the cancellations to land
    done_.clear();
    usb_.wait(std::chrono::milliseconds(100), done_);
    outstanding_ -= std::min<unsigned>(outstanding_, unsigned(done_.size()));
  }
  outstanding_ = 0;
  if (why == UsbStatus::NoDevice)
    fail(ErrorKind::Usb, fmt::format("CH341A disappeared during {} (unplugged?)", what),
         "check the USB cable and the clip, then run the dump again");
  if (why == UsbStatus::TimedOut)
    fail(ErrorKind::Timeout, fmt::format("CH341A stopped answering during {} (1 s USB timeout)", what),
         "replug the programmer; in-circuit, make sure the board is powered off or its SoC held in reset");
  fail(ErrorKind::Usb, fmt::format("CH341A transfer failed during {}: {}", what, usb_status_name(why)),
       "replug the programmer and run again");
}

void Ch341aMaster::transfer(std::span<const uint8_t> write, std::span<uint8_t> read) {
  if (write.size() + read.size() > max_frame_bytes())
    fail(ErrorKind::Usage, fmt::format("SPI frame of {} bytes exceeds the CH341A limit of {}",
                                       write.size() + read.size(), max_frame_bytes()));
  out_.clear();
  size_t n = encode_frame(write, read.size(), out_);
  in_.assign(n, 0);
  usb_.submit_out(out_, kOutTag);
  ++outstanding_;
  ++stats_.transfers_out;
  stats_.bytes_out += out_.size();
  bool out_done = false;
  size_t next = 0, got = 0;
  unsigned in_active = 0;
  while (!out_done || got < n) {
    while (next < n && in_active < depth_) {
      size_t len = std::min(kPayload, n - next);
      usb_.submit_in(std::span(in_).subspan(next, len), next);
      next += len;
      ++in_active;
      ++outstanding_;
      ++stats_.transfers_in;
      stats_.max_in_flight = std::max(stats_.max_in_flight, in_active);
    }
    done_.clear();
    usb_.wait(std::chrono::milliseconds(kTimeoutMs), done_);
    for (const auto& c : done_) {
      --outstanding_;
      if (c.status != UsbStatus::Completed) abort_and_throw(c.status, "a SPI transfer");
      if (c.tag == kOutTag) {
        out_done = true;
        continue;
      }
      --in_active;
      size_t want = std::min(kPayload, n - size_t(c.tag));
      if (c.actual != want) abort_and_throw(UsbStatus::Error, "a SPI transfer (short reply)");
      got += c.actual;
      stats_.bytes_in += c.actual;
    }
  }
  decode_frame(in_, write.size(), read);
}

}  // namespace camdump::ch341a
