// SPDX-License-Identifier: MIT
// UBI headers on NAND dumps (linux drivers/mtd/ubi/ubi-media.h): each PEB starts with an EC
// header "UBI#" (64 bytes, big-endian, hdr_crc at 60 = crc32_le(0xffffffff, 60 bytes), i.e.
// the zlib CRC without the final inversion); the VID header "UBI!" sits at vid_hdr_offset.
// Blank (all 0xff) PEBs are free. PEB size = spacing of consecutive EC headers.
#include <fmt/format.h>

#include "core/crc32.hpp"
#include "core/size.hpp"
#include "image/inspect_checks.hpp"
#include "image/inspect_util.hpp"

namespace camdump::image::detail {
namespace {

bool hdr_ok(const uint8_t* p) { return (crc32({p, 60}) ^ 0xffffffffu) == rd_be32(p + 60); }

}  // namespace

UbiInfo check_ubi(std::span<const uint8_t> img, uint64_t off, uint64_t end, const std::string& part,
                  std::vector<Problem>& out) {
  UbiInfo info;
  info.offset = off;
  end = std::min<uint64_t>(end, img.size());
  for (uint64_t step = 0x1000; step <= 0x80000 && off + step + 4 <= end; step += 0x1000)
    if (rd_be32(img.data() + off + step) == 0x55424923u) { info.peb_size = uint32_t(step); break; }
  if (info.peb_size == 0) info.peb_size = uint32_t(std::min<uint64_t>(end - off, 0x20000));
  size_t reported = 0;
  for (uint64_t peb = off; peb + 64 <= end; peb += info.peb_size) {
    const uint8_t* p = img.data() + peb;
    if (all_bytes({p, 64}, 0xff)) { ++info.blank_pebs; continue; }
    if (rd_be32(p) != 0x55424923u || !hdr_ok(p)) {
      ++info.bad_headers;
      if (reported++ < 8) out.push_back({part, peb, fmt::format("UBI erase-counter header at {} is bad", hex(peb))});
      continue;
    }
    ++info.ec_headers;
    const uint32_t vid = rd_be32(p + 16);
    if (vid + 64 > info.peb_size || peb + vid + 64 > end) continue;
    const uint8_t* v = p + vid;
    if (all_bytes({v, 64}, 0xff)) continue;  // free PEB
    if (rd_be32(v) == 0x55424921u && hdr_ok(v)) { ++info.vid_headers; continue; }
    ++info.bad_headers;
    if (reported++ < 8) out.push_back({part, peb + vid, fmt::format("UBI volume header at {} is bad", hex(peb + vid))});
  }
  return info;
}

}  // namespace camdump::image::detail
