// SPDX-License-Identifier: MIT
#include "ch341a/sim_transport.hpp"

namespace camdump::ch341a {

void SimTransport::submit_out(std::span<const uint8_t> data, uint64_t tag) {
  queue_.push_back({true, std::span(const_cast<uint8_t*>(data.data()), data.size()), tag});
}

void SimTransport::submit_in(std::span<uint8_t> buf, uint64_t tag) {
  emu_->in_submitted();
  queue_.push_back({false, buf, tag});
}

void SimTransport::wait(std::chrono::milliseconds, std::vector<UsbCompletion>& done) {
  for (auto& c : cancelled_) done.push_back(c);
  cancelled_.clear();
  // Endpoints are independent: OUT data reaches the device first, then the IN queue drains.
  for (auto it = queue_.begin(); it != queue_.end();) {
    if (it->out) {
      UsbStatus st = emu_->bulk_out(it->buf);
      done.push_back({it->tag, st, st == UsbStatus::Completed ? it->buf.size() : 0});
      it = queue_.erase(it);
    } else {
      ++it;
    }
  }
  while (!queue_.empty()) {
    Pending p = queue_.front();
    size_t actual = 0;
    UsbStatus st = emu_->bulk_in(p.buf, actual);
    queue_.pop_front();
    emu_->in_finished();
    done.push_back({p.tag, st, actual});  // TimedOut stands for the transfer's own 1 s timeout
  }
}

void SimTransport::cancel_all() {
  for (auto& p : queue_) {
    if (!p.out) emu_->in_finished();
    cancelled_.push_back({p.tag, UsbStatus::Cancelled, 0});
  }
  queue_.clear();
}

UsbStatus SimTransport::write_sync(std::span<const uint8_t> data) { return emu_->bulk_out(data); }

std::string SimTransport::describe() const { return "emulated CH341A with " + emu_->chip().describe(); }

}  // namespace camdump::ch341a
