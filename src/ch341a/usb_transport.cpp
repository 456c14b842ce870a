// SPDX-License-Identifier: MIT
#include "ch341a/usb_transport.hpp"

namespace camdump::ch341a {

const char* usb_status_name(UsbStatus s) noexcept {
  switch (s) {
    case UsbStatus::Completed: return "completed";
    case UsbStatus::TimedOut: return "timed out";
    case UsbStatus::Stall: return "endpoint stalled";
    case UsbStatus::NoDevice: return "device gone";
    case UsbStatus::Overflow: return "overflow (device sent more than asked)";
    case UsbStatus::Cancelled: return "cancelled";
    case UsbStatus::Error: return "transfer error";
  }
  return "?";
}

}  // namespace camdump::ch341a
