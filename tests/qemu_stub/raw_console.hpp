// SPDX-License-Identifier: MIT
// Test helper for the stub suites: an io::Transport over a connected socket (QEMU's TCP chardev,
// 8-bit clean) and a bare-bones prompt driver, so the stub binaries can be exercised on real
// U-Boot independently of the console engine.
#pragma once
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>

#include "core/error.hpp"
#include "io/transport.hpp"

namespace camdump::test {

class FdTransport : public io::Transport {
 public:
  explicit FdTransport(int fd) : fd_(fd) {}
  ~FdTransport() override {
    if (fd_ >= 0) ::close(fd_);
  }
  bool eight_bit_clean() const override { return true; }
  std::string describe() const override { return "test socket"; }

 protected:
  size_t do_read(std::span<uint8_t> buf, std::chrono::milliseconds timeout) override {
    pollfd p{fd_, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (r <= 0) return 0;
    ssize_t n = ::read(fd_, buf.data(), buf.size());
    if (n == 0) fail(ErrorKind::Io, "peer closed");
    return n < 0 ? 0 : static_cast<size_t>(n);
  }
  void do_write(std::span<const uint8_t> data) override {
    size_t off = 0;
    while (off < data.size()) {
      ssize_t n = ::write(fd_, data.data() + off, data.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fail(ErrorKind::Io, "write failed");
      off += static_cast<size_t>(n);
    }
  }

 private:
  int fd_;
};

/// Reads until `text` ends with "\n" + prompt (or `timeout`); returns everything read.
inline std::string read_to_prompt(io::Transport& t, const std::string& prompt,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  std::string acc;
  uint8_t buf[4096];
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    size_t n = t.read(buf, std::chrono::milliseconds(100));
    acc.append(reinterpret_cast<char*>(buf), n);
    if (n == 0 && acc.size() >= prompt.size() + 1 &&
        acc.compare(acc.size() - prompt.size(), prompt.size(), prompt) == 0 &&
        acc[acc.size() - prompt.size() - 1] == '\n')
      return acc;
  }
  return acc;
}

}  // namespace camdump::test
