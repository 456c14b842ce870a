// SPDX-License-Identifier: MIT
// Progress and logs are data: the library reports them to an injected Reporter and never prints.
// The CLI renders them on stderr (rate, ETA); tests collect them.
#pragma once
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace camdump {

enum class LogLevel { Debug, Info, Warn, Error };

struct Progress {
  std::string stage;        ///< "reading", "verifying", "uploading" ...
  uint64_t done = 0;        ///< bytes settled (verified or skipped as blank)
  uint64_t total = 0;       ///< bytes to settle; 0 when unknown
  uint64_t skipped = 0;     ///< of `done`, bytes proven blank without transfer
  uint64_t retries = 0;     ///< re-reads so far
  uint64_t wire_bytes = 0;  ///< bytes received over the transport so far
  bool finished = false;    ///< last event of this stage
};

class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void log(LogLevel, std::string_view) {}
  virtual void progress(const Progress&) {}
};

/// A reporter that drops everything.
Reporter& null_reporter();

/// A Reporter that forwards to another under a mutex, for work that reports from two threads at
/// once (a console session on the caller's thread, a TFTP server on its own).
class SerializedReporter : public Reporter {
 public:
  explicit SerializedReporter(Reporter& to) : to_(to) {}
  void log(LogLevel l, std::string_view m) override {
    std::lock_guard g(mu_);
    to_.log(l, m);
  }
  void progress(const Progress& p) override {
    std::lock_guard g(mu_);
    to_.progress(p);
  }

 private:
  Reporter& to_;
  std::mutex mu_;
};

}  // namespace camdump
