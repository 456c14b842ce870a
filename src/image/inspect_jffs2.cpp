// SPDX-License-Identifier: MIT
// JFFS2 node check (include/uapi/linux/jffs2.h; fs/jffs2/scan.c). Every node: magic 0x1985,
// header CRC over the first 8 bytes computed with JFFS2_NODE_ACCURATE set (scan.c does the same,
// so obsoleted nodes still verify); inode nodes: node CRC (60 bytes) + data CRC; dirents: node
// CRC (32 bytes) + name CRC. CRCs are crc32_le seed 0 without inversion (docs/reference/image-formats.md#jffs2).
#include <fmt/format.h>

#include <optional>
#include <string>

#include "core/crc32.hpp"
#include "core/size.hpp"
#include "image/inspect_checks.hpp"
#include "image/inspect_util.hpp"

namespace camdump::image::detail {
namespace {

constexpr uint16_t kAccurate = 0x2000;
constexpr size_t kMaxProblems = 8;

struct Endian {
  bool big;
  uint16_t u16(const uint8_t* p) const { return big ? uint16_t(p[0] << 8 | p[1]) : rd_le16(p); }
  uint32_t u32(const uint8_t* p) const { return big ? rd_be32(p) : rd_le32(p); }
};

}  // namespace

bool looks_like_jffs2(std::span<const uint8_t> img, uint64_t off) {
  if (off + 12 > img.size()) return false;
  const uint8_t* p = img.data() + off;
  for (bool big : {false, true}) {
    Endian e{big};
    if (e.u16(p) != 0x1985) continue;
    uint8_t h[8];
    std::memcpy(h, p, 8);
    uint16_t t = e.u16(p + 2) | kAccurate;
    if (big) {
      h[2] = uint8_t(t >> 8);
      h[3] = uint8_t(t);
    } else {
      h[2] = uint8_t(t);
      h[3] = uint8_t(t >> 8);
    }
    if (crc32_jffs2(h) == e.u32(p + 8)) return true;
  }
  return false;
}

namespace {

// End of the run of erased (0xff) words from `q` (8 bytes a step, then 4).
uint64_t erased_end(std::span<const uint8_t> img, uint64_t q, uint64_t end) {
  while (q + 8 <= end && rd_le32(img.data() + q) == 0xffffffffu && rd_le32(img.data() + q + 4) == 0xffffffffu) q += 8;
  while (q + 4 <= end && rd_le32(img.data() + q) == 0xffffffffu) q += 4;
  return q;
}

// What is wrong with a live inode or dirent node whose header is good (node CRC, then data or
// name CRC); nullopt when nothing is, or for other and obsolete nodes (those lost kAccurate, and
// their node CRC is stale).
std::optional<std::string> node_problem(const uint8_t* p, uint64_t pos, uint16_t type, uint32_t totlen,
                                        const Endian& e) {
  const bool live = type & kAccurate;
  if (live && type == 0xe002 && totlen >= 68) {
    const uint32_t csize = e.u32(p + 48);
    if (crc32_jffs2({p, 60}) != e.u32(p + 64)) return fmt::format("jffs2 inode node CRC mismatch at {}", hex(pos));
    if (68 + uint64_t(csize) > totlen || crc32_jffs2({p + 68, csize}) != e.u32(p + 60))
      return fmt::format("jffs2 inode data CRC mismatch at {} (data {}..{})", hex(pos), hex(pos + 68),
                         hex(pos + 68 + csize));
  } else if (live && type == 0xe001 && totlen >= 40) {
    const uint8_t nsize = p[28];
    if (crc32_jffs2({p, 32}) != e.u32(p + 32)) return fmt::format("jffs2 dirent node CRC mismatch at {}", hex(pos));
    if (40u + nsize > totlen || crc32_jffs2({p + 40, nsize}) != e.u32(p + 36))
      return fmt::format("jffs2 dirent name CRC mismatch at {}", hex(pos));
  }
  return std::nullopt;
}

}  // namespace

Jffs2Info check_jffs2(std::span<const uint8_t> img, uint64_t off, uint64_t end, const std::string& part,
                      std::vector<Problem>& out) {
  Jffs2Info info;
  info.offset = off;
  end = std::min<uint64_t>(end, img.size());
  info.big_endian = off + 2 <= end && img[off] == 0x19 && img[off + 1] == 0x85;
  const Endian e{info.big_endian};
  size_t reported = 0;
  uint64_t extra = 0, last_marker = ~0ull, garbage_from = ~0ull;
  auto bad = [&](uint64_t at, std::string msg) {
    ++info.bad_nodes;
    if (reported++ < kMaxProblems) out.push_back({part, at, std::move(msg)});
    else ++extra;
  };
  auto end_garbage = [&](uint64_t at) {
    if (garbage_from == ~0ull) return;
    bad(garbage_from, fmt::format("jffs2: {} bytes of unrecognised data at {} (damaged node?)", at - garbage_from,
                                  hex(garbage_from)));
    garbage_from = ~0ull;
  };
  uint64_t pos = off;
  while (pos + 4 <= end) {
    const uint8_t* p = img.data() + pos;
    if (rd_le32(p) == 0xffffffffu) {
      end_garbage(pos);
      const uint64_t q = erased_end(img, pos + 4, end);
      info.erased_bytes += q - pos;
      pos = q;
      continue;
    }
    if (pos + 12 <= end && e.u16(p) == 0x1985) {
      end_garbage(pos);
      const uint16_t type = e.u16(p + 2);
      const uint32_t totlen = e.u32(p + 4);
      if (!looks_like_jffs2(img, pos)) {
        bad(pos, fmt::format("jffs2 node header CRC mismatch at {}", hex(pos)));
        pos += 4;
        continue;
      }
      if (totlen < 12 || totlen > end - pos) {
        bad(pos, fmt::format("jffs2 node at {} has length {} running past the part", hex(pos), totlen));
        pos += 4;
        continue;
      }
      std::optional<std::string> problem = node_problem(p, pos, type, totlen, e);
      const bool ok = !problem;
      if (problem) bad(pos, std::move(*problem));
      if (type == 0x2003 && totlen == 12) {  // cleanmarker: spacing = erase block size
        if (last_marker != ~0ull && (info.erase_size == 0 || pos - last_marker < info.erase_size))
          info.erase_size = uint32_t(pos - last_marker);
        last_marker = pos;
      }
      if (ok) {
        ++info.good_nodes;
        info.used_bytes += totlen;
      }
      pos += (uint64_t(totlen) + 3) & ~3ull;
      continue;
    }
    if (pos + 8 <= end && e.u32(p + 4) == 0x02851885u) {  // erase-block summary marker
      pos += 8;
      continue;
    }
    if (garbage_from == ~0ull) garbage_from = pos;
    pos += 4;
  }
  end_garbage(pos);
  if (extra) out.push_back({part, off, fmt::format("jffs2: {} more bad nodes not listed", extra)});
  return info;
}

}  // namespace camdump::image::detail
