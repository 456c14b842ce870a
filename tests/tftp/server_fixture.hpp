// SPDX-License-Identifier: MIT
// A camdump TFTP server on 127.0.0.1 (ephemeral port) running in a thread, over a temporary root,
// with a thread-safe reporter that keeps every log line. Shared by the TFTP test files.
#pragma once
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/hash.hpp"
#include "support/files.hpp"
#include "support/process.hpp"
#include "tftp/server.hpp"

namespace camdump::test {

class CollectingReporter : public Reporter {
 public:
  void log(LogLevel, std::string_view msg) override {
    std::lock_guard l(mu_);
    lines_.emplace_back(msg);
  }
  std::vector<std::string> lines() const {
    std::lock_guard l(mu_);
    return lines_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

class TftpServerTest : public ::testing::Test {
 protected:
  void start(tftp::ServerConfig cfg = {}) {
    cfg.root = root_.path();
    cfg.listen = *tftp::parse_endpoint("127.0.0.1:0", 0);
    server_ = std::make_unique<tftp::Server>(cfg, reporter_);
    thread_ = std::thread([this] { server_->run(); });
  }
  void TearDown() override {
    if (server_) {
      server_->stop();
      thread_.join();
    }
  }
  uint16_t port() const { return server_->port(); }
  std::string port_str() const { return std::to_string(port()); }
  std::filesystem::path root() const { return root_.path(); }
  void put_file(const std::string& name, const std::vector<uint8_t>& data) { write_bytes(root_ / name, data); }
  /// Runs a client program to completion (killed by PID after 120 s); true on exit status 0.
  static bool run_client(const std::vector<std::string>& argv, const std::string& cwd = {}) {
    SpawnOptions so;
    so.cwd = cwd;
    auto p = Process::spawn(argv, so);
    auto st = p.wait_exit(std::chrono::seconds(120));
    if (!st) p.stop();
    return st && WIFEXITED(*st) && WEXITSTATUS(*st) == 0;
  }
  /// Temporary files of uploads (AtomicFile::TempName::Unique) under the root.
  size_t temp_files() const {
    size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(root_.path()))
      n += e.path().filename().string().starts_with(".camdump-tmp-");
    return n;
  }
  /// Nothing named `name` nor `name.part`, and no temporary file, under the root.
  bool nothing_written(const std::string& name) const {
    return !std::filesystem::exists(root_ / name) && !std::filesystem::exists(root_ / (name + ".part")) &&
           temp_files() == 0;
  }

  TempDir root_{"camdump-tftp"};
  TempDir work_{"camdump-tftp-client"};
  CollectingReporter reporter_;
  std::unique_ptr<tftp::Server> server_;
  std::thread thread_;
};

}  // namespace camdump::test
