// SPDX-License-Identifier: MIT
#include "dump/hexlog_write.hpp"

#include <algorithm>
#include <exception>
#include <span>
#include <thread>

#include "core/atomic_file.hpp"
#include "core/crc32.hpp"
#include "core/hash.hpp"
#include "core/huge_buffer.hpp"

namespace camdump::dump {

WrittenImage write_hexlog_image(const HexlogReader& reader, uint64_t start, uint64_t size, uint8_t fill,
                                const std::filesystem::path& out, const CancelFlag* cancel) {
  constexpr size_t kWindow = 4u << 20;
  AtomicFile file(out);
  file.bypass_cache();  // the image is written once: straight to the disk, so commit() is quick
  Digest sha(Digest::Algo::Sha256);
  WrittenImage w;
  HugeBuffer mem(static_cast<size_t>(std::min<uint64_t>(kWindow, size)));  // 2 MiB-aligned: fine for O_DIRECT
  uint8_t* const buf = mem.data();
  for (uint64_t pos = 0; pos < size; pos += kWindow) {
    check_cancel(cancel);
    std::span<uint8_t> chunk(buf, static_cast<size_t>(std::min<uint64_t>(kWindow, size - pos)));
    reader.copy_range(start + pos, chunk, fill);
    std::exception_ptr error;
    std::thread hasher([&] {
      try {
        sha.update(chunk);
        w.crc32 = crc32(chunk, w.crc32);
      } catch (...) {
        error = std::current_exception();
      }
    });
    try {
      file.write(chunk);
    } catch (...) {
      hasher.join();
      throw;
    }
    hasher.join();
    if (error) std::rethrow_exception(error);
  }
  file.commit();
  w.sha256 = sha.hex_final();
  return w;
}

}  // namespace camdump::dump
