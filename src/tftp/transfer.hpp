// SPDX-License-Identifier: MIT
// One TFTP transfer on its own socket (its TID): the state machines the server drives from its
// poll loop. ReadTransfer serves an RRQ (lock-step, or RFC 7440 windows), WriteTransfer receives a
// WRQ into a unique temporary file and renames it to NAME before the final ACK goes out. Both keep 64-bit block counters
// and put the low 16 bits on the wire, so block numbers wrap 65535 -> 0 as U-Boot's do
// (net/tftp.c; docs/reference/tftp.md#rollover). Neither retransmits on a duplicate ACK
// (the Sorcerer's Apprentice bug, RFC 1123 §4.2.3.1); they retransmit only on their timer.
#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/hash.hpp"
#include "core/report.hpp"
#include "tftp/packet.hpp"
#include "tftp/udp.hpp"

namespace camdump::tftp {

using Clock = std::chrono::steady_clock;

enum class Direction { Read, Write };

/// What the server reports for every transfer, successful or not.
struct TransferReport {
  Direction direction = Direction::Read;
  std::string peer;            ///< "ip:port" of the client
  std::string name;            ///< filename as requested
  std::filesystem::path path;  ///< file under the root
  uint64_t bytes = 0;          ///< payload bytes moved
  double seconds = 0;
  std::string sha256;  ///< hex of the bytes moved (complete transfers only)
  uint32_t blksize = kDefaultBlksize;
  uint32_t windowsize = 1;
  uint64_t retransmits = 0;
  bool ok = false;
  std::string error;  ///< why it failed (empty when ok)
  double rate() const { return seconds > 0 ? static_cast<double>(bytes) / seconds : 0; }
};

/// Negotiated parameters and limits handed to a transfer.
struct TransferParams {
  uint32_t blksize = kDefaultBlksize;
  uint32_t windowsize = 1;
  std::chrono::milliseconds timeout{1000};
  unsigned max_retries = 6;
  uint64_t max_size = 0;         ///< uploads only
  bool allow_overwrite = false;  ///< uploads only: checked again right before the rename
};

class Transfer {
 public:
  Transfer(UdpSocket sock, Endpoint peer, TransferParams params, Reporter& reporter);
  virtual ~Transfer() = default;
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  int fd() const { return sock_.fd(); }
  const Endpoint& peer() const { return peer_; }
  /// Open with this OACK (the accepted options) instead of DATA 1 / ACK 0; call before start().
  void set_oack(const std::vector<Option>& options) { oack_bytes_ = build_oack(options); }
  /// Send the first packet (OACK, DATA 1 or ACK 0).
  virtual void start(Clock::time_point now) = 0;
  /// The server is stopping: send an ERROR and end as failed (an upload's temporary file is removed).
  virtual void cancel(Clock::time_point now) { abort(ErrorCode::NotDefined, "server shutting down", now); }
  /// Read and handle at most one waiting datagram.
  void on_readable(Clock::time_point now);
  /// The retransmission timer expired.
  virtual void on_timeout(Clock::time_point now) = 0;
  Clock::time_point deadline() const { return deadline_; }
  /// Set once the outcome is known (a finished upload may still linger to re-ACK, see done()).
  bool settled() const { return settled_; }
  /// True when the transfer may be removed.
  bool done() const { return done_; }
  const TransferReport& report() const { return report_; }

 protected:
  virtual void on_packet(std::span<const uint8_t> bytes, Clock::time_point now) = 0;
  void send(std::span<const uint8_t> bytes) { sock_.send_to(bytes, peer_); }
  /// Send an ERROR and end the transfer as failed. `detail` (paths under the root, errno text) goes
  /// to the report and the log only, never to the client.
  void abort(ErrorCode code, const std::string& message, Clock::time_point now, const std::string& detail = {});
  /// End the transfer as failed because the peer sent an ERROR.
  void peer_error(const ErrorPacket& e, Clock::time_point now);
  void succeed(Clock::time_point now);
  void arm(Clock::time_point now) { deadline_ = now + params_.timeout; }
  /// Count a retry; false (after aborting) when the retries are used up.
  bool retry(Clock::time_point now);
  void progress(uint64_t done, uint64_t total, bool finished = false);

  UdpSocket sock_;
  Endpoint peer_;
  TransferParams params_;
  Reporter& reporter_;
  TransferReport report_;
  Digest digest_{Digest::Algo::Sha256};
  Clock::time_point start_, deadline_, last_progress_;
  unsigned retries_ = 0;
  bool settled_ = false, done_ = false;
  std::vector<uint8_t> buf_;         ///< receive buffer
  std::vector<uint8_t> oack_bytes_;  ///< the OACK, when options were accepted
};

/// Serves a file to the client (RRQ).
class ReadTransfer final : public Transfer {
 public:
  /// Opens `path`; throws Error(NotFound/Permission/Io).
  ReadTransfer(UdpSocket sock, Endpoint peer, TransferParams params, Reporter& reporter,
               const std::filesystem::path& path, std::string name);
  ~ReadTransfer() override;
  uint64_t size() const { return size_; }
  void start(Clock::time_point now) override;
  void on_timeout(Clock::time_point now) override;

 private:
  void on_packet(std::span<const uint8_t> bytes, Clock::time_point now) override;
  void send_window(Clock::time_point now);
  bool send_block(uint64_t block);
  int fd_ = -1;
  std::vector<uint8_t> out_;        ///< DATA packet being sent
  uint64_t size_ = 0, blocks_ = 0;  ///< blocks_: number of DATA packets (the last one is short)
  uint64_t acked_ = 0;              ///< highest block acknowledged
  uint64_t next_ = 1;               ///< next block to send
  uint64_t hashed_ = 0;             ///< blocks fed to the digest
  uint64_t rewound_at_ = UINT64_MAX;
  bool oack_pending_ = false;
};

/// Receives an upload (WRQ) into a unique temporary file; renames it to NAME (0600) before the final ACK.
class WriteTransfer final : public Transfer {
 public:
  WriteTransfer(UdpSocket sock, Endpoint peer, TransferParams params, Reporter& reporter,
                const std::filesystem::path& path, std::string name, std::optional<uint64_t> tsize);
  void start(Clock::time_point now) override;
  void on_timeout(Clock::time_point now) override;

 private:
  void on_packet(std::span<const uint8_t> bytes, Clock::time_point now) override;
  void send_ack(uint16_t block);
  void flush();
  void finish_upload(Clock::time_point now);
  std::unique_ptr<AtomicFile> file_;
  std::vector<uint8_t> pending_;  ///< written in large pieces
  std::optional<uint64_t> tsize_;
  uint64_t received_ = 0;  ///< blocks accepted
  bool oack_pending_ = false, dallying_ = false;
};

}  // namespace camdump::tftp
