// SPDX-License-Identifier: MIT
#include "core/crc32.hpp"

#include <zlib.h>

#include <array>

namespace camdump {

uint32_t crc32(std::span<const uint8_t> data, uint32_t crc) noexcept {
  // zlib takes uInt lengths: feed in pieces so spans over 4 GiB stay correct.
  uLong c = crc;
  const uint8_t* p = data.data();
  size_t n = data.size();
  while (n > 0) {
    uInt step = n > (1u << 30) ? (1u << 30) : static_cast<uInt>(n);
    c = ::crc32(c, p, step);
    p += step;
    n -= step;
  }
  return static_cast<uint32_t>(c);
}

uint32_t crc32_combine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b) noexcept {
  return static_cast<uint32_t>(::crc32_combine64(crc_a, crc_b, static_cast<z_off64_t>(len_b)));
}

uint32_t crc32_fill(uint8_t byte, uint64_t count) noexcept {
  std::array<uint8_t, 4096> block;
  block.fill(byte);
  const uint32_t block_crc = crc32(block);
  uint32_t crc = 0;
  // Doubling: combine whole blocks in O(log n) steps, then the tail.
  uint64_t blocks = count / block.size();
  uint32_t pow_crc = block_crc;  // CRC of (2^k) blocks
  uint64_t pow_len = block.size();
  bool have = false;
  while (blocks) {
    if (blocks & 1) {
      crc = have ? crc32_combine(crc, pow_crc, pow_len) : pow_crc;
      have = true;
    }
    blocks >>= 1;
    if (blocks) {
      pow_crc = crc32_combine(pow_crc, pow_crc, pow_len);
      pow_len *= 2;
    }
  }
  size_t tail = count % block.size();
  return crc32(std::span<const uint8_t>(block.data(), tail), crc);
}

uint32_t crc32_jffs2(std::span<const uint8_t> data) noexcept {
  // crc32_le(seed, p, n) == ~zlib_crc32(~seed, p, n); zlib's crc32(c) inverts on entry and exit.
  return ~crc32(data, 0xFFFFFFFFu);
}

}  // namespace camdump
