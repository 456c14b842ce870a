// SPDX-License-Identifier: MIT
// camdump's TFTP server as a library class (used by `camdump tftpd`, `camdump dump tftp` and the
// Linux-shell route). One poll loop serves many transfers at once, each on its own ephemeral
// socket; options blksize/timeout/tsize (RFC 2347-2349) for both directions and windowsize
// (RFC 7440) for reads; octet mode. Safety: names are confined to the root (path_guard.hpp),
// uploads land in a fresh unpredictable temporary file that no client can name
// (AtomicFile::TempName::Unique) and are renamed (0600) before the final ACK, never overwrite unless
// allowed, and stop at max_size. Every transfer is logged (peer, name, size, rate, SHA-256) through
// the Reporter and handed to the completion callback / wait_upload().
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/report.hpp"
#include "tftp/path_guard.hpp"
#include "tftp/transfer.hpp"
#include "tftp/udp.hpp"

namespace camdump::tftp {

inline constexpr uint64_t kDefaultMaxSize = 256ull << 20;  ///< largest SPI NAND people dump

struct ServerConfig {
  std::filesystem::path root = ".";
  Endpoint listen = *parse_endpoint("0.0.0.0", kWellKnownPort);
  bool allow_read = true;
  bool allow_write = true;
  bool allow_overwrite = false;
  uint64_t max_size = kDefaultMaxSize;
  /// Retransmission interval when the client does not negotiate `timeout`.
  std::chrono::milliseconds timeout{1000};
  unsigned max_retries = 6;
  uint32_t max_blksize = kMaxBlksize;
  uint32_t max_windowsize = 64;
  /// Stop after the first successful upload (once it has finished lingering for lost ACKs).
  bool once = false;
};

class Server {
 public:
  using Callback = std::function<void(const TransferReport&)>;

  /// Binds the listening socket now. Throws Error (Permission with the fix for port 69, Io when
  /// the port is taken, NotFound when the root does not exist).
  Server(ServerConfig config, Reporter& reporter);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// The bound listening address (the real port when 0 was asked for).
  Endpoint local() const { return listen_.local(); }
  uint16_t port() const { return local().port(); }
  const std::filesystem::path& root() const { return guard_.root(); }

  /// Called (on the thread running run()) for every finished transfer; set before run().
  void on_complete(Callback cb) { callback_ = std::move(cb); }
  /// Serve until stop(), `cancel` set, or (with once) the first upload done. Transfers still
  /// running when it returns are aborted with an ERROR to their clients; their .part files removed.
  void run(const CancelFlag* cancel = nullptr);
  /// Ask run() to return; callable from any thread or a signal-safe context.
  void stop();

  /// From another thread: wait until an upload named `name` completes successfully; nullopt on
  /// timeout, cancel, or as soon as run() has returned (also after a poll error). Each successful upload is returned once.
  std::optional<TransferReport> wait_upload(const std::string& name, std::chrono::milliseconds timeout,
                                            const CancelFlag* cancel = nullptr);
  /// True once run() has returned (thread-safe).
  bool ended() const;
  /// Reports of every finished transfer so far (thread-safe copy).
  std::vector<TransferReport> finished() const;

 private:
  void handle_request(std::span<const uint8_t> bytes, const Endpoint& from, Clock::time_point now);
  bool upload_running(const std::filesystem::path& path) const;
  /// The transfer's own socket and file; nullptr after refusing the request (the reason is logged).
  std::unique_ptr<Transfer> open_transfer(const Request& req, const Endpoint& from, const std::filesystem::path& path,
                                          const TransferParams& p, const Options& asked, Options agreed,
                                          const std::string& what);
  void refuse(const Endpoint& to, ErrorCode code, const std::string& why, const std::string& what);
  void settle(Transfer& t);
  bool reap();

  ServerConfig config_;
  Reporter& reporter_;
  PathGuard guard_;
  UdpSocket listen_;
  int wake_[2] = {-1, -1};  ///< self-pipe: stop() wakes poll()
  std::atomic<bool> stop_{false};
  Callback callback_;
  std::vector<std::unique_ptr<Transfer>> transfers_;
  std::vector<Transfer*> settled_;  ///< already reported
  std::vector<uint8_t> buf_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<TransferReport> finished_;
  std::vector<bool> claimed_;  ///< parallel to finished_: handed out by wait_upload()
  bool once_done_ = false;
  bool ended_ = false;  ///< run() has returned (for any reason: stop, cancel, a poll error)
};

/// One line for logs: "received fw.bin from 10.0.2.15:2435: 16 MiB in 0.9 s (17.8 MiB/s), sha256 ...".
std::string describe(const TransferReport& r);

}  // namespace camdump::tftp
