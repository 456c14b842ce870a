// SPDX-License-Identifier: MIT
// A private TFTP upload inbox for routes whose camera pushes files to us (U-Boot's `tftpput`, the
// Linux-shell route's busybox `tftp -p`): camdump's TFTP server in a background thread, write-only, rooted in a
// fresh 0700 temporary directory; wait_for(name) blocks until that upload completes and returns
// its bytes (the file is removed, so the same name can be uploaded again). Started as root (port
// 69), the directory and every file access in it belong to the invoking user, or nobody
// (core/fs_identity.hpp): no upload is ever written or read as root.
// The server thread never calls the caller's Reporter: its logs and progress are queued and handed
// on by the thread that calls wait_for()/pump() (and the destructor), so a Reporter that is not
// thread-safe (the CLI's) is only ever used from one thread.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <atomic>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "core/fs_identity.hpp"
#include "core/report.hpp"
#include "tftp/server.hpp"

namespace camdump::dump {

class TftpInbox {
 public:
  /// `listen` is ADDR[:PORT] (default port 69); uploads above `max_size` are refused. Throws the
  /// server's bind errors (and leaves no temporary directory behind).
  TftpInbox(const std::string& listen, Reporter& rep, const CancelFlag* cancel,
            uint64_t max_size = tftp::kDefaultMaxSize);
  ~TftpInbox();
  TftpInbox(const TftpInbox&) = delete;
  TftpInbox& operator=(const TftpInbox&) = delete;

  uint16_t port() const { return server_->port(); }
  tftp::Server& server() { return *server_; }
  /// The private directory uploads land in, and whom its files belong to (nullopt: not root).
  const std::filesystem::path& directory() const { return dir_; }
  const std::optional<Identity>& identity() const { return identity_; }
  /// Bytes of the next completed upload named `name`. Throws Error(Timeout) after `timeout`, and
  /// Error(Io) at once if the server has stopped.
  std::vector<uint8_t> wait_for(const std::string& name, std::chrono::milliseconds timeout = std::chrono::minutes(30));
  /// Hand what the server thread reported so far to the caller's Reporter (on this thread).
  void pump();

 private:
  class Queue;
  std::filesystem::path dir_;
  std::optional<Identity> identity_;
  const CancelFlag* cancel_;
  Reporter& rep_;
  std::unique_ptr<Queue> queue_;
  std::unique_ptr<tftp::Server> server_;
  std::thread thread_;
  std::atomic<bool> failed_{false};  ///< the server thread could not take the identity
};

}  // namespace camdump::dump
