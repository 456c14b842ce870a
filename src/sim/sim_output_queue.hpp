// SPDX-License-Identifier: MIT
// Internal to the virtual camera: the console's transmit side, what the camera has printed and the
// host has not read yet, and how many bytes the host has read in all (stalls, reset-after and a
// `setenv baudrate` switch are placed by that count).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace camdump::sim {

class OutputQueue {
 public:
  /// Print like U-Boot's serial drivers: '\n' goes out as "\r\n".
  void print(std::string_view s);
  /// Print bytes as they are.
  void print_raw(std::string_view s) { buf_.append(s); }
  /// The buffer itself, for jobs that append directly (md builds its lines in place).
  std::string& buffer() { return buf_; }
  size_t size() const { return buf_.size(); }

  /// Bytes printed and not yet read by the host, starting at next().
  size_t queued() const { return buf_.size() - pos_; }
  const char* next() const { return buf_.data() + pos_; }
  /// Bytes the host has read since power-on of the simulator (not reset by a reboot).
  uint64_t delivered() const { return delivered_; }
  /// The host read the first `n` queued bytes.
  void consume(size_t n);
  /// The power went: what was still queued never leaves the UART.
  void drop_queued();

 private:
  std::string buf_;
  size_t pos_ = 0;
  uint64_t delivered_ = 0;
};

}  // namespace camdump::sim
