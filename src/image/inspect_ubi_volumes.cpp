// SPDX-License-Identifier: MIT
// UBI on NAND dumps, part 2: the volume table and the volumes (linux drivers/mtd/ubi/ubi-media.h,
// vtbl.c; fs/ubifs/ubifs-media.h). The layout volume (id 0x7fffefff, two copies) holds 172-byte
// records {reserved_pebs, alignment, data_pad, vol_type, upd_marker, name_len, name[128], flags,
// crc at 168}. Each volume is rebuilt from its LEBs (newest copy per LEB); static volumes carry a
// data CRC per LEB (data_size bytes). The rebuilt bytes are then checked like a raw part: U-Boot
// env CRC (Thingino SPI-NAND `uboot-env`), squashfs through libsquashfs, uImage CRCs + payload,
// UBIFS node CRCs (common header: magic 0x06101831 LE, crc at 4 over bytes 8..len; the LPT area
// is skipped, and said so in the proof). Problems are
// located at the absolute image offset of the byte (LEB -> PEB + data_offset).
#include <fmt/format.h>

#include "core/size.hpp"
#include "image/inspect_checks.hpp"
#include "image/inspect_ubi.hpp"
#include "image/inspect_util.hpp"

namespace camdump::image::detail {
namespace {

constexpr size_t kVtblRecord = 172;
constexpr uint32_t kUbifsMagic = 0x06101831;

struct Volume {
  UbiVolume v;
  std::vector<uint8_t> bytes;
  std::vector<uint64_t> leb_at;  // absolute offset of each LEB's data (0 = unmapped)
};

// UBIFS nodes, LEB by LEB: every node's CRC; 0xce padding bytes and 0xff free space skipped.
void check_ubifs(const Volume& vol, uint32_t leb_size, const std::string& where, UbiVolume& v,
                 std::vector<Problem>& local) {
  uint64_t nodes = 0, bad = 0;
  // The LPT area (LEBs 3 + log_lebs ... + lpt_lebs, from the superblock node in LEB 0) holds packed
  // lprops nodes with their own CRC-16 format, not common-header nodes: skipped.
  uint64_t lpt_first = 0, lpt_end = 0;
  if (vol.bytes.size() >= 68 && vol.bytes[20] == 6) {
    lpt_first = 3 + uint64_t(rd_le32(vol.bytes.data() + 56));
    lpt_end = lpt_first + rd_le32(vol.bytes.data() + 60);
  }
  for (size_t leb = 0; leb < vol.leb_at.size(); ++leb) {
    if (!vol.leb_at[leb] || (leb >= lpt_first && leb < lpt_end)) continue;
    const uint8_t* d = vol.bytes.data() + leb * uint64_t(leb_size);
    uint64_t pos = 0;
    while (pos + 24 <= leb_size) {
      if (d[pos] == 0xce) {
        ++pos;
        continue;
      }
      if (rd_le32(d + pos) != kUbifsMagic) {
        if (!all_bytes({d + pos, leb_size - pos}, 0xff)) {
          ++bad;
          local.push_back({where, leb * uint64_t(leb_size) + pos,
                           fmt::format("UBIFS: unrecognised bytes in LEB {} at +{} (damaged node?)", leb, hex(pos))});
        }
        break;
      }
      const uint32_t len = rd_le32(d + pos + 16);
      if (len < 24 || pos + len > leb_size) {
        ++bad;
        local.push_back({where, leb * uint64_t(leb_size) + pos,
                         fmt::format("UBIFS node in LEB {} at +{} has length {} (damaged)", leb, hex(pos), len)});
        break;
      }
      if (ubi_crc({d + pos + 8, len - 8}) != rd_le32(d + pos + 4)) {
        ++bad;
        local.push_back(
            {where, leb * uint64_t(leb_size) + pos,
             fmt::format("UBIFS node CRC mismatch in LEB {} at +{} (type {})", leb, hex(pos), d[pos + 20])});
      } else {
        ++nodes;
      }
      const uint8_t type = d[pos + 20];
      if (type == 5 && len >= 28) pos += len + uint64_t(rd_le32(d + pos + 24));  // UBIFS_PAD_NODE + pad_len
      else pos += (uint64_t(len) + 7) & ~7ull;
    }
  }
  v.summary = fmt::format("UBIFS, {} nodes CRC ok{}", nodes, bad ? fmt::format(", {} BAD", bad) : "");
}

void check_content(Volume& vol, uint32_t leb_size, const std::string& where, const InspectOptions& opt,
                   std::vector<Problem>& local) {
  UbiVolume& v = vol.v;
  std::span<const uint8_t> b = vol.bytes;
  if (b.empty() || all_bytes(b, 0xff)) {
    v.content = "empty";
    v.summary = "empty";
    return;
  }
  if (b.size() >= 4 && rd_le32(b.data()) == 0x73717368u) {
    v.content = "squashfs";
    auto q = check_squashfs(b, 0, b.size(), where, opt.read_files, opt.cancel, local);
    v.summary = fmt::format("squashfs {}, {} files / {} dirs {}", format_size(q.bytes_used), q.files, q.dirs,
                            q.read_ok ? "read ok" : "NOT readable");
    if (q.stored_blocks)
      v.summary += fmt::format(" ({} blocks stored uncompressed, {} under no checksum)", q.stored_blocks,
                               format_size(q.stored_bytes));
    return;
  }
  if (auto u = check_uimage(b, 0, b.size())) {
    v.content = "uimage";
    check_kernel_payload(b, *u, where, opt.cancel, local);
    uimage_problems(*u, where, local);
    v.summary = describe_uimage(*u) + (u->payload ? "; " + describe_payload(*u->payload) : "");
    return;
  }
  if (b.size() >= 24 && rd_le32(b.data()) == kUbifsMagic) {
    v.content = "ubifs";
    check_ubifs(vol, leb_size, where, v, local);
    return;
  }
  if (auto e = parse_env_at(b, 0, std::min<uint64_t>(b.size(), 0x40000), opt.show_secrets)) {
    v.content = "env";
    v.summary = fmt::format("U-Boot env {} {}, {} variables, CRC {}", e->redundant ? "redundant" : "single",
                            format_size(e->size), e->vars.size(), e->crc_ok ? "ok" : "BAD");
    if (!e->crc_ok)
      local.push_back({where, 0,
                       fmt::format("U-Boot environment in this volume fails its CRC ({} variables "
                                   "readable)",
                                   e->vars.size())});
    return;
  }
  if (auto p = check_bare_payload(b, 0, b.size(), where, opt.cancel, local)) {
    v.content = "payload";
    v.summary = describe_payload(*p);
    return;
  }
  v.content = "data";
  v.summary = fmt::format("unrecognised data ({})", format_size(b.size()));
}

// One record of the volume table (ubi_vtbl_record): volume id, reserved PEBs, type, name.
struct VtblRec {
  uint32_t id, reserved;
  uint8_t type;
  std::string name;
};

uint64_t leb_data_at(const UbiInfo& info, const UbiLeb& l) { return l.peb + info.data_offset; }

// The records of one copy of the layout volume; `bad` counts the records failing their CRC.
std::vector<VtblRec> read_vtbl_copy(const uint8_t* t, uint32_t leb_size, size_t& bad, size_t& first_bad) {
  const size_t n = std::min<size_t>(128, leb_size / kVtblRecord);
  std::vector<VtblRec> got;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* r = t + i * kVtblRecord;
    if (ubi_crc({r, 168}) != rd_be32(r + 168)) {
      if (bad++ == 0) first_bad = i;
      continue;
    }
    const uint32_t reserved = rd_be32(r);
    if (reserved == 0) continue;
    const size_t nlen = std::min<size_t>(rd_be16(r + 14), 127);
    std::string name(reinterpret_cast<const char*>(r + 16), strnlen(reinterpret_cast<const char*>(r + 16), nlen));
    for (char& c : name)
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
    got.push_back({uint32_t(i), reserved, r[12], name});
  }
  return got;
}

// Volume table: the first good copy of the layout volume; without one, every volume the VID
// headers name (as "volN").
std::vector<VtblRec> volume_records(std::span<const uint8_t> img, UbiInfo& info, const UbiLebMap& lebs,
                                    const std::string& part, std::vector<Problem>& out) {
  const uint32_t leb_size = info.peb_size - info.data_offset;
  std::vector<VtblRec> recs;
  if (auto lv = lebs.find(kUbiLayoutVolume); lv != lebs.end()) {
    info.vtbl_found = true;
    for (const auto& [lnum, l] : lv->second) {
      const uint64_t at = leb_data_at(info, l);
      if (at + leb_size > img.size()) continue;
      size_t bad = 0, first_bad = 0;
      std::vector<VtblRec> got = read_vtbl_copy(img.data() + at, leb_size, bad, first_bad);
      if (bad)
        out.push_back(
            {part, at + first_bad * kVtblRecord,
             fmt::format("UBI volume table copy {} record {} at {} fails its CRC{}", lnum, first_bad,
                         hex(at + first_bad * kVtblRecord), bad > 1 ? fmt::format(" ({} records bad)", bad) : "")});
      else if (recs.empty()) {
        recs = std::move(got);
        info.vtbl_ok = true;
      }
    }
    if (!info.vtbl_ok)
      out.push_back({part, info.offset, "UBI volume table: no copy without CRC errors (volume names unknown)"});
  }
  if (recs.empty())  // no usable table: still check every volume the VID headers name
    for (const auto& [id, m] : lebs)
      if (id != kUbiLayoutVolume) recs.push_back({id, 0, m.begin()->second.vol_type, fmt::format("vol{}", id)});
  return recs;
}

// The volume's bytes in LEB order (a dynamic volume's missing LEBs read as 0xff), each LEB's data
// CRC checked where the VID header carries one.
void assemble_volume(std::span<const uint8_t> img, const UbiInfo& info, const std::map<uint32_t, UbiLeb>& m,
                     const std::string& where, Volume& vol, std::vector<Problem>& out) {
  const uint32_t leb_size = info.peb_size - info.data_offset;
  UbiVolume& v = vol.v;
  uint32_t count = m.empty() ? 0 : m.rbegin()->first + 1;
  if (v.is_static && !m.empty()) {
    v.used_ebs = m.begin()->second.used_ebs;
    count = std::min<uint32_t>(std::max(count, v.used_ebs), 1u << 20);
  }
  count = static_cast<uint32_t>(std::min<uint64_t>(count, img.size() / leb_size + 1));  // <= count: fits
  vol.leb_at.assign(count, 0);
  for (uint32_t lnum = 0; lnum < count; ++lnum) {
    auto l = m.find(lnum);
    if (l == m.end()) {
      if (v.is_static) {
        out.push_back(
            {where, info.offset, fmt::format("UBI static volume '{}' lacks LEB {} of {}", v.name, lnum, v.used_ebs)});
        v.ok = false;
      }
      if (!v.is_static) vol.bytes.resize(vol.bytes.size() + leb_size, 0xff);
      continue;
    }
    ++v.lebs;
    const uint64_t at = leb_data_at(info, l->second);
    vol.leb_at[lnum] = at;
    const uint32_t n = v.is_static ? std::min(l->second.data_size, leb_size) : leb_size - l->second.data_pad % leb_size;
    auto d = sub(img, at, n);
    if ((v.is_static || l->second.copy_flag) && d.size() == n) {
      if (ubi_crc(d) == l->second.data_crc) ++v.crc_lebs;
      else {
        out.push_back(
            {where, at,
             fmt::format("UBI {} volume '{}' LEB {} (PEB at {}): data CRC mismatch in {}..{}",
                         v.is_static ? "static" : "dynamic", v.name, lnum, hex(l->second.peb), hex(at), hex(at + n))});
        v.ok = false;
      }
    }
    vol.bytes.insert(vol.bytes.end(), d.begin(), d.end());
    if (!v.is_static) vol.bytes.resize(size_t(lnum + 1) * leb_size, 0xff);
  }
  v.data_bytes = vol.bytes.size();
}

}  // namespace

void check_ubi_volumes(std::span<const uint8_t> img, UbiInfo& info, const UbiLebMap& lebs, const std::string& part,
                       const InspectOptions& opt, std::vector<Problem>& out) {
  const uint32_t leb_size = info.peb_size - info.data_offset;
  const std::map<uint32_t, UbiLeb> none;
  for (const VtblRec& rec : volume_records(img, info, lebs, part, out)) {
    check_cancel(opt.cancel);
    Volume vol;
    UbiVolume& v = vol.v;
    v.id = rec.id;
    v.name = rec.name;
    v.is_static = rec.type == 2;
    v.reserved_pebs = rec.reserved;
    const std::string where = part + "/" + v.name;
    const auto it = lebs.find(rec.id);
    assemble_volume(img, info, it == lebs.end() ? none : it->second, where, vol, out);
    std::vector<Problem> local;
    check_content(vol, leb_size, where, opt, local);
    for (auto& p : local) {  // volume offset -> image offset
      const uint64_t leb = p.offset / leb_size;
      const uint64_t in_vol = p.offset;
      p.offset = leb < vol.leb_at.size() && vol.leb_at[leb] ? vol.leb_at[leb] + p.offset % leb_size : info.offset;
      p.message += fmt::format(" [volume offset {}, image offset {}]", hex(in_vol), hex(p.offset));
      v.ok = false;
      out.push_back(std::move(p));
    }
    v.content = v.content.empty() ? "data" : v.content;
    info.volumes.push_back(std::move(v));
  }
}

}  // namespace camdump::image::detail
