// SPDX-License-Identifier: MIT
// `--log FILE`: a Transport decorator that appends a full transcript of both directions to a file.
// One record per line, lossless and readable:
//   # camdump transcript: tcp:127.0.0.1:4000, opened 2026-11-28 03:20:00 UTC
//   +0.052 RX "U-Boot 2023.01\r\n"
//   +0.610 TX "version\r"
// A record ends after each LF, when the direction changes, or at 256 bytes. Inside the quotes,
// printable ASCII stands for itself; \\ \" \r \n \t and \xHH stand for the rest.
// A secret written with write_secret() (a login password) is recorded as `+0.700 TX <password elided>`,
// and the camera's echo of it, if its terminal echoes, as `RX "<password elided>\r\n"`.
#pragma once
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "io/transport.hpp"

namespace camdump::io {

class LoggingTransport : public Transport {
 public:
  /// Opens `path` for appending (mode 0600 when created). Throws Error(Io) if it cannot.
  LoggingTransport(std::unique_ptr<Transport> inner, const std::string& path);
  ~LoggingTransport() override;
  LoggingTransport(const LoggingTransport&) = delete;
  LoggingTransport& operator=(const LoggingTransport&) = delete;

  bool set_baud(uint32_t baud) override;
  std::optional<uint32_t> baud() const override { return inner_->baud(); }
  bool eight_bit_clean() const override { return inner_->eight_bit_clean(); }
  std::string describe() const override { return inner_->describe(); }
  Transport& inner() { return *inner_; }
  /// Write `data` like write(), but record `TX <LABEL elided>` instead of the bytes.
  void write_elided(std::span<const uint8_t> data, std::string_view label);

 protected:
  size_t do_read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) override;
  void do_write(std::span<const uint8_t> data) override;

 private:
  void record(char dir, std::span<const uint8_t> data);
  void put(std::string& out, char dir, uint8_t b, const char* marker);
  void record_rx(std::span<const uint8_t> data, bool all);
  void end_record();
  void note(const std::string& text);  ///< a "# ..." line (baud changes, errors)

  std::unique_ptr<Transport> inner_;
  FILE* file_ = nullptr;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  char dir_ = 0;        ///< direction of the open record ('R' / 'T'), 0 when none
  size_t rec_len_ = 0;  ///< bytes in the open record
  std::string elide_;   ///< label of the write in progress that must not be recorded
  std::string secret_;  ///< the last secret written (its echo is elided from RX records too)
  std::string secret_label_;
  std::string rx_hold_;  ///< received bytes that may be the start of the secret's echo
};

/// Write a secret through `t`: a transcript (--log) anywhere below `t` (decorators forward the
/// write on this thread) records `TX <LABEL elided>`, never the bytes.
void write_secret(Transport& t, std::span<const uint8_t> data, std::string_view label);

/// The escaped form used in records (exposed for tests).
std::string escape_transcript(std::span<const uint8_t> data);

}  // namespace camdump::io
