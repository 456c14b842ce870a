// SPDX-License-Identifier: MIT
// Small byte helpers shared by the inspector's checkers (image/inspect_*.cpp): endian reads,
// fast "all bytes equal" tests, bounded sub-spans. Internal to the image layer.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>

namespace camdump::image::detail {

inline uint16_t rd_le16(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }
inline uint32_t rd_le32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
inline uint64_t rd_le64(const uint8_t* p) { return rd_le32(p) | uint64_t(rd_le32(p + 4)) << 32; }
inline uint32_t rd_be32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}
inline uint16_t rd_be16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
inline uint64_t rd_be64(const uint8_t* p) { return uint64_t(rd_be32(p)) << 32 | rd_be32(p + 4); }

/// True when every byte of `d` equals `v` (word-at-a-time).
inline bool all_bytes(std::span<const uint8_t> d, uint8_t v) {
  const uint64_t pat = 0x0101010101010101ull * v;
  size_t i = 0;
  for (; i + 8 <= d.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, d.data() + i, 8);
    if (w != pat) return false;
  }
  for (; i < d.size(); ++i)
    if (d[i] != v) return false;
  return true;
}

/// Number of bytes equal to `v`.
inline uint64_t count_byte(std::span<const uint8_t> d, uint8_t v) {
  return uint64_t(std::count(d.begin(), d.end(), v));
}

/// The part of [off, off+size) that lies inside `img` (possibly empty).
inline std::span<const uint8_t> sub(std::span<const uint8_t> img, uint64_t off, uint64_t size) {
  if (off >= img.size()) return {};
  return img.subspan(size_t(off), size_t(std::min<uint64_t>(size, img.size() - off)));
}

}  // namespace camdump::image::detail
