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

WrittenImage write_hexlog_image(const HexlogReader& reader, uint64_t start, uint64_t size, uint8_t fill, bool as_read,
                                const std::filesystem::path& out, const CancelFlag* cancel) {
  // Two 4 MiB windows: this thread fills one from the image while one hash thread (started once
  // for the whole image) hashes the other; then this thread writes it (O_DIRECT, so the write
  // costs no copy). The hash thread and this thread hand windows over under one mutex.
  constexpr size_t kWindow = 4u << 20;
  AtomicFile file(out);
  file.bypass_cache();  // the image is written once: straight to the disk, so commit() is quick
  Digest sha(Digest::Algo::Sha256);
  WrittenImage w;
  const size_t win = static_cast<size_t>(std::min<uint64_t>(kWindow, std::max<uint64_t>(size, 1)));
  HugeBuffer mem(2 * win);  // 2 MiB-aligned: fine for O_DIRECT
  std::mutex mu;
  std::condition_variable cv;
  std::span<uint8_t> to_hash;  // handed to the hash thread; empty: nothing to do
  bool hashing = false, done = false;
  std::exception_ptr hash_error;
  std::thread hasher([&] {
    std::unique_lock lk(mu);
    for (;;) {
      cv.wait(lk, [&] { return hashing || done; });
      if (!hashing) return;
      const std::span<uint8_t> chunk = to_hash;
      lk.unlock();
      try {
        sha.update(chunk);
        w.crc32 = crc32(chunk, w.crc32);
      } catch (...) {
        hash_error = std::current_exception();
      }
      lk.lock();
      hashing = false;
      cv.notify_all();
    }
  });
  auto wait_hashed = [&] {
    std::unique_lock lk(mu);
    cv.wait(lk, [&] { return !hashing; });
  };
  auto stop = [&] {
    {
      std::lock_guard lk(mu);
      done = true;
    }
    cv.notify_all();
    hasher.join();
  };
  try {
    unsigned k = 0;
    for (uint64_t pos = 0; pos < size; pos += win, k ^= 1) {
      check_cancel(cancel);
      std::span<uint8_t> chunk(mem.data() + k * win, static_cast<size_t>(std::min<uint64_t>(win, size - pos)));
      reader.copy_range(start + pos, chunk, fill, as_read);
      wait_hashed();  // the previous window is hashed (and was written below)
      if (hash_error) std::rethrow_exception(hash_error);
      {
        std::lock_guard lk(mu);
        to_hash = chunk;
        hashing = true;
      }
      cv.notify_all();
      file.write(chunk);
    }
    wait_hashed();
    if (hash_error) std::rethrow_exception(hash_error);
  } catch (...) {
    wait_hashed();
    stop();
    throw;
  }
  stop();
  file.commit();
  w.sha256 = sha.hex_final();
  return w;
}

}  // namespace camdump::dump
