// SPDX-License-Identifier: MIT
#include "core/error.hpp"

namespace camdump {

const char* kind_name(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::Usage: return "usage";
    case ErrorKind::NotFound: return "not-found";
    case ErrorKind::Permission: return "permission";
    case ErrorKind::Io: return "io";
    case ErrorKind::Timeout: return "timeout";
    case ErrorKind::Protocol: return "protocol";
    case ErrorKind::VerifyMismatch: return "verify-mismatch";
    case ErrorKind::Corrupt: return "corrupt";
    case ErrorKind::Unsupported: return "unsupported";
    case ErrorKind::Usb: return "usb";
    case ErrorKind::Cancelled: return "cancelled";
  }
  return "unknown";
}

Error::Error(ErrorKind kind, const std::string& message, std::string hint)
    : std::runtime_error(message), kind_(kind), hint_(std::move(hint)) {}

Error Error::with_context(const std::string& context) const { return Error(kind_, context + ": " + what(), hint_); }

void fail(ErrorKind kind, const std::string& message, std::string hint) { throw Error(kind, message, std::move(hint)); }

}  // namespace camdump
