// SPDX-License-Identifier: MIT
// One error type for the whole library: a kind (which the CLI maps to an exit code and a hint)
// plus a message that grows a context chain as it crosses layer boundaries.
// Hot loops return plain results (std::optional, enums); only boundaries throw.
#pragma once
#include <atomic>
#include <stdexcept>
#include <string>

namespace camdump {

enum class ErrorKind {
  Usage,           ///< bad arguments or input the user must fix (exit 2)
  NotFound,        ///< a file, device or command does not exist
  Permission,      ///< access refused (device node, port 69, output directory)
  Io,              ///< read/write/transport failure
  Timeout,         ///< the peer stopped answering
  Protocol,        ///< the peer answered something we cannot accept
  VerifyMismatch,  ///< data did not match its checksum / the other copies
  Corrupt,         ///< input is damaged (log gaps, bad CRC in an image)
  Unsupported,     ///< the device or build lacks what this route needs
  Usb,             ///< libusb reported an error
  Cancelled,       ///< Ctrl-C or a cancel request
};

const char* kind_name(ErrorKind kind) noexcept;

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message, std::string hint = {});
  ErrorKind kind() const noexcept { return kind_; }
  /// What the user should do next, one line; may be empty.
  const std::string& hint() const noexcept { return hint_; }
  /// A copy with "context: " put in front of the message.
  Error with_context(const std::string& context) const;

 private:
  ErrorKind kind_;
  std::string hint_;
};

[[noreturn]] void fail(ErrorKind kind, const std::string& message, std::string hint = {});

/// Set from a signal handler (or another thread) to ask long work to stop at the next safe point.
using CancelFlag = std::atomic<bool>;

/// Throws Error(Cancelled) when `flag` is set. A null flag never cancels.
inline void check_cancel(const CancelFlag* flag) {
  if (flag && flag->load(std::memory_order_relaxed)) fail(ErrorKind::Cancelled, "interrupted");
}

}  // namespace camdump
