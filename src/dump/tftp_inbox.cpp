// SPDX-License-Identifier: MIT
#include "dump/tftp_inbox.hpp"

#include <fmt/core.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <mutex>
#include <optional>

#include "core/file_util.hpp"
#include "core/fs_identity.hpp"

namespace camdump::dump {

// What the server thread reports, kept until the caller's thread hands it on. Logs are kept in
// order (the oldest dropped beyond kMaxLogs); of the progress events only the latest matters.
class TftpInbox::Queue : public Reporter {
 public:
  void log(LogLevel l, std::string_view m) override {
    std::lock_guard g(mu_);
    if (logs_.size() >= kMaxLogs) logs_.pop_front();
    logs_.emplace_back(l, std::string(m));
  }
  void progress(const Progress& p) override {
    std::lock_guard g(mu_);
    progress_ = p;
  }
  void drain(Reporter& to) {
    std::deque<std::pair<LogLevel, std::string>> logs;
    std::optional<Progress> p;
    {
      std::lock_guard g(mu_);
      logs.swap(logs_);
      p.swap(progress_);
    }
    for (const auto& [l, m] : logs) to.log(l, m);
    if (p) to.progress(*p);
  }

 private:
  static constexpr size_t kMaxLogs = 1000;
  std::mutex mu_;
  std::deque<std::pair<LogLevel, std::string>> logs_;
  std::optional<Progress> progress_;
};

TftpInbox::TftpInbox(const std::string& listen, Reporter& rep, const CancelFlag* cancel, uint64_t max_size)
    : cancel_(cancel), rep_(rep), queue_(std::make_unique<Queue>()) {
  auto ep = tftp::parse_endpoint(listen, tftp::kWellKnownPort);
  if (!ep) fail(ErrorKind::Usage, fmt::format("--listen: '{}' is not ADDR[:PORT]", listen));
  std::string tmpl = (std::filesystem::temp_directory_path() / "camdump-inbox-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) fail(ErrorKind::Io, "cannot create a temporary directory for TFTP uploads");
  dir_ = tmpl;
  // Started as root (port 69): the directory belongs to the unprivileged identity, and every file
  // in it is written, read and removed with that identity's permissions (issue 17 item 4).
  identity_ = file_access_identity();
  if (identity_ && ::chown(dir_.c_str(), identity_->uid, identity_->gid) != 0) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    fail(ErrorKind::Io, "cannot hand the TFTP inbox directory to " + identity_->name);
  }
  tftp::ServerConfig cfg;
  cfg.root = dir_;
  cfg.listen = *ep;
  cfg.allow_read = false;  // an inbox: nothing is ever served
  cfg.allow_overwrite = true;
  cfg.max_size = max_size;
  try {
    { ScopedFsIdentity probe(identity_); }  // fails here, on the caller's thread, if it cannot be taken
    server_ = std::make_unique<tftp::Server>(cfg, *queue_);
  } catch (...) {  // port taken, port 69 without privilege: the directory must not stay behind
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    throw;
  }
  thread_ = std::thread([this] {
    try {
      ScopedFsIdentity as(identity_);
      server_->run(cancel_);
    } catch (const std::exception& e) {
      queue_->log(LogLevel::Error, std::string("TFTP inbox: ") + e.what());
      failed_ = true;
    }
  });
}

TftpInbox::~TftpInbox() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
  pump();
  try {
    ScopedFsIdentity as(identity_);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  } catch (const std::exception&) {}
}

void TftpInbox::pump() { queue_->drain(rep_); }

std::vector<uint8_t> TftpInbox::wait_for(const std::string& name, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  std::optional<tftp::TransferReport> r;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    r = server_->wait_upload(name, std::clamp(left, std::chrono::milliseconds(0), std::chrono::milliseconds(200)),
                             cancel_);
    pump();
    check_cancel(cancel_);
    if (r || left.count() <= 0) break;
    if (server_->ended() || failed_) fail(ErrorKind::Io, "the TFTP server stopped (see the log above)");
  }
  if (!r)
    fail(ErrorKind::Timeout, fmt::format("no TFTP upload of {} arrived", tftp::printable_name(name)),
         "check that the camera can reach this PC over UDP (firewall, --server-ip)");
  ScopedFsIdentity as(identity_);
  auto data = read_file(r->path);
  std::error_code ec;
  std::filesystem::remove(r->path, ec);
  return data;
}

}  // namespace camdump::dump
