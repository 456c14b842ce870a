// SPDX-License-Identifier: MIT
#include "dump/tftp_inbox.hpp"

#include <fmt/core.h>
#include <stdlib.h>

#include "core/file_util.hpp"

namespace camdump::dump {

TftpInbox::TftpInbox(const std::string& listen, Reporter& rep, const CancelFlag* cancel, uint64_t max_size)
    : cancel_(cancel) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "camdump-inbox-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) fail(ErrorKind::Io, "cannot create a temporary directory for TFTP uploads");
  dir_ = tmpl;
  auto ep = tftp::parse_endpoint(listen, tftp::kWellKnownPort);
  if (!ep) fail(ErrorKind::Usage, fmt::format("--listen: '{}' is not ADDR[:PORT]", listen));
  tftp::ServerConfig cfg;
  cfg.root = dir_;
  cfg.listen = *ep;
  cfg.allow_read = false;
  cfg.allow_overwrite = true;
  cfg.max_size = max_size;
  server_ = std::make_unique<tftp::Server>(cfg, rep);
  thread_ = std::thread([this] { server_->run(cancel_); });
}

TftpInbox::~TftpInbox() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::vector<uint8_t> TftpInbox::wait_for(const std::string& name, std::chrono::milliseconds timeout) {
  auto r = server_->wait_upload(name, timeout, cancel_);
  check_cancel(cancel_);
  if (!r) fail(ErrorKind::Timeout, fmt::format("no TFTP upload of {} arrived", name),
               "check that the camera can reach this PC over UDP (firewall, --server-ip)");
  auto data = read_file(r->path);
  std::error_code ec;
  std::filesystem::remove(r->path, ec);
  return data;
}

}  // namespace camdump::dump
