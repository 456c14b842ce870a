// SPDX-License-Identifier: MIT
// UBI on NAND dumps, part 1: the PEB scan (linux drivers/mtd/ubi/ubi-media.h). Each PEB starts
// with an EC header "UBI#" (64 bytes, big-endian, hdr_crc at 60 over the first 60 bytes); the
// VID header "UBI!" sits at vid_hdr_offset and names the volume, the LEB number and the sequence
// number (the newest copy of a LEB wins, as ubi_attach does). Blank (all 0xff) PEBs are free.
// PEB size = spacing of consecutive EC headers. The volumes are checked in inspect_ubi_volumes.cpp.
#include <fmt/format.h>

#include "core/crc32.hpp"
#include "core/size.hpp"
#include "image/inspect_checks.hpp"
#include "image/inspect_ubi.hpp"
#include "image/inspect_util.hpp"

namespace camdump::image::detail {

uint32_t ubi_crc(std::span<const uint8_t> d) { return crc32(d) ^ 0xffffffffu; }

namespace {

bool hdr_ok(const uint8_t* p) { return ubi_crc({p, 60}) == rd_be32(p + 60); }

}  // namespace

UbiInfo check_ubi(std::span<const uint8_t> img, uint64_t off, uint64_t end, const std::string& part,
                  const InspectOptions& opt, std::vector<Problem>& out) {
  UbiInfo info;
  info.offset = off;
  end = std::min<uint64_t>(end, img.size());
  for (uint64_t step = 0x1000; step <= 0x80000 && off + step + 4 <= end; step += 0x1000)
    if (rd_be32(img.data() + off + step) == 0x55424923u) {
      info.peb_size = uint32_t(step);
      break;
    }
  if (info.peb_size == 0) info.peb_size = uint32_t(std::min<uint64_t>(end - off, 0x20000));
  size_t reported = 0;
  auto bad = [&](uint64_t at, std::string msg) {
    ++info.bad_headers;
    if (reported++ < 8) out.push_back({part, at, std::move(msg)});
  };
  UbiLebMap lebs;
  for (uint64_t peb = off; peb + 64 <= end; peb += info.peb_size) {
    check_cancel(opt.cancel);
    const uint8_t* p = img.data() + peb;
    if (all_bytes({p, 64}, 0xff)) {
      ++info.blank_pebs;
      continue;
    }
    if (rd_be32(p) != 0x55424923u || !hdr_ok(p)) {
      bad(peb, fmt::format("UBI erase-counter header at {} is bad (magic or CRC)", hex(peb)));
      continue;
    }
    ++info.ec_headers;
    const uint32_t vid = rd_be32(p + 16), data = rd_be32(p + 20);
    if (!info.vid_hdr_offset) {
      info.vid_hdr_offset = vid;
      info.data_offset = data;
    }
    if (vid + 64 > info.peb_size || peb + vid + 64 > end || data >= info.peb_size) continue;
    const uint8_t* v = p + vid;
    if (all_bytes({v, 64}, 0xff)) continue;  // free PEB
    if (rd_be32(v) != 0x55424921u || !hdr_ok(v)) {
      bad(peb + vid, fmt::format("UBI volume header at {} is bad (magic or CRC)", hex(peb + vid)));
      continue;
    }
    ++info.vid_headers;
    UbiLeb l;
    l.peb = peb;
    l.vol_type = v[5];
    l.copy_flag = v[6];
    l.data_size = rd_be32(v + 20);
    l.used_ebs = rd_be32(v + 24);
    l.data_pad = rd_be32(v + 28);
    l.data_crc = rd_be32(v + 32);
    l.sqnum = rd_be64(v + 40);
    auto& slot = lebs[rd_be32(v + 8)];
    const uint32_t lnum = rd_be32(v + 12);
    if (auto it = slot.find(lnum); it == slot.end() || it->second.sqnum < l.sqnum) slot[lnum] = l;
  }
  if (info.ec_headers && info.data_offset && info.data_offset < info.peb_size)
    check_ubi_volumes(img, info, lebs, part, opt, out);
  return info;
}

}  // namespace camdump::image::detail
