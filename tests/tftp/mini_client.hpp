// SPDX-License-Identifier: MIT
// Test helpers for the TFTP suites: a small TFTP client built on the codec (short retransmission
// timers, windowed reads as RFC 7440 receivers do, optional block size), and a UDP proxy that
// drops, duplicates and reorders datagrams both ways. Everything binds 127.0.0.1.
#pragma once
#include <netinet/in.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tftp/packet.hpp"
#include "support/random.hpp"

namespace camdump::test {

struct TftpResult {
  bool ok = false;
  std::optional<tftp::ErrorCode> error_code;  ///< when the server sent an ERROR
  std::string error;
  std::vector<uint8_t> data;  ///< downloaded bytes
  std::vector<tftp::Option> oack;
  /// put(): the file's state observed right after the final ACK arrived (rename-before-ACK check).
  bool final_file_present = false;
};

struct TftpClientOptions {
  std::optional<uint32_t> blksize;
  std::optional<uint32_t> windowsize;
  std::optional<uint64_t> tsize;
  std::chrono::milliseconds rexmt{50};
  int max_retries = 200;
  std::string check_path;  ///< put(): file whose presence is checked when the final ACK arrives
};

class MiniClient {
 public:
  explicit MiniClient(uint16_t server_port);
  ~MiniClient();
  TftpResult get(const std::string& name, const TftpClientOptions& o = {});
  TftpResult put(const std::string& name, const std::vector<uint8_t>& data, const TftpClientOptions& o = {});

 private:
  void new_tid();
  int fd_ = -1;
  sockaddr_in server_{};
};

/// Forwards one client to a TFTP server through faults. The client talks to port(); the proxy
/// talks to the server's listening port first and then to whichever port (TID) answers.
class LossyProxy {
 public:
  LossyProxy(uint16_t server_port, double drop, double dup, double reorder, uint32_t seed);
  ~LossyProxy();
  uint16_t port() const { return port_; }
  uint64_t dropped() const { return dropped_; }
  uint64_t duplicated() const { return duplicated_; }
  uint64_t reordered() const { return reordered_; }

 private:
  void loop();
  int client_side_ = -1, server_side_ = -1;
  uint16_t port_ = 0, server_port_;
  double drop_, dup_, reorder_;
  uint32_t seed_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> dropped_{0}, duplicated_{0}, reordered_{0};
  std::thread thread_;
};

}  // namespace camdump::test
