// SPDX-License-Identifier: MIT
#include "dump/hexlog_write.hpp"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <span>
#include <thread>

#include "core/atomic_file.hpp"
#include "core/crc32.hpp"
#include "core/hash.hpp"
#include "core/huge_buffer.hpp"

namespace camdump::dump {
namespace {

// One thread, started once for the whole image, that hashes the windows handed to it (SHA-256
// and CRC-32, in order) while the caller fills and writes the next one. Windows change hands
// under one mutex; the thread is joined when the hasher goes out of scope.
class WindowHasher {
 public:
  WindowHasher(Digest& sha, uint32_t& crc) : sha_(sha), crc_(crc), thread_([this] { run(); }) {}
  WindowHasher(const WindowHasher&) = delete;
  WindowHasher& operator=(const WindowHasher&) = delete;
  ~WindowHasher() {
    wait_hashed();
    {
      std::lock_guard lk(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  /// Waits until the window handed over last is hashed; rethrows what hashing threw.
  void wait() {
    wait_hashed();
    if (error_) std::rethrow_exception(error_);
  }
  /// Hands `chunk` over; the previous window must be hashed (wait()).
  void hash(std::span<uint8_t> chunk) {
    {
      std::lock_guard lk(mu_);
      to_hash_ = chunk;
      hashing_ = true;
    }
    cv_.notify_all();
  }

 private:
  void wait_hashed() {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return !hashing_; });
  }
  void run() {
    std::unique_lock lk(mu_);
    for (;;) {
      cv_.wait(lk, [&] { return hashing_ || done_; });
      if (!hashing_) return;
      const std::span<uint8_t> chunk = to_hash_;
      lk.unlock();
      try {
        sha_.update(chunk);
        crc_ = crc32(chunk, crc_);
      } catch (...) {
        error_ = std::current_exception();
      }
      lk.lock();
      hashing_ = false;
      cv_.notify_all();
    }
  }

  Digest& sha_;
  uint32_t& crc_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::span<uint8_t> to_hash_;  // handed to the hash thread; empty: nothing to do
  bool hashing_ = false, done_ = false;
  std::exception_ptr error_;
  std::thread thread_;  // last: starts once the members it uses exist
};

}  // namespace

WrittenImage write_hexlog_image(const HexlogReader& reader, uint64_t start, uint64_t size, uint8_t fill, bool as_read,
                                const std::filesystem::path& out, const CancelFlag* cancel) {
  // Two 4 MiB windows: this thread fills one from the image while the hash thread hashes the
  // other; then this thread writes it (O_DIRECT, so the write costs no copy).
  constexpr size_t kWindow = 4u << 20;
  AtomicFile file(out);
  file.bypass_cache();  // the image is written once: straight to the disk, so commit() is quick
  Digest sha(Digest::Algo::Sha256);
  WrittenImage w;
  const size_t win = static_cast<size_t>(std::min<uint64_t>(kWindow, std::max<uint64_t>(size, 1)));
  HugeBuffer mem(2 * win);  // 2 MiB-aligned: fine for O_DIRECT
  {
    WindowHasher hasher(sha, w.crc32);
    unsigned k = 0;
    for (uint64_t pos = 0; pos < size; pos += win, k ^= 1) {
      check_cancel(cancel);
      std::span<uint8_t> chunk(mem.data() + k * win, static_cast<size_t>(std::min<uint64_t>(win, size - pos)));
      reader.copy_range(start + pos, chunk, fill, as_read);
      hasher.wait();  // the previous window is hashed (and was written below)
      hasher.hash(chunk);
      file.write(chunk);
    }
    hasher.wait();
  }
  file.commit();
  w.sha256 = sha.hex_final();
  return w;
}

}  // namespace camdump::dump
