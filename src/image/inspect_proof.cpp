// SPDX-License-Identifier: MIT
// The honest part of the verdict: for every checked part, which of its bytes a checksum that
// agreed covers, which were only decoded or recognised, and which nothing covers. A dump is
// proven equal to the flash only by the device's own CRC taken while dumping (every `camdump dump`
// route does that); inspect can only say the bytes are self-consistent where formats allow it.
// Facts per format: docs/reference/inspect-checksums.md §5.
#include <fmt/format.h>

#include "core/size.hpp"
#include "image/inspect_checks.hpp"

namespace camdump::image::detail {
namespace {

const char* squashfs_codec(uint16_t c) {
  switch (c) {
    case 1: return "zlib";
    case 2: return "lzma";
    case 3: return "lzo";
    case 4: return "xz";
    case 5: return "lz4";
    case 6: return "zstd";
    default: return "unknown";
  }
}

// zlib streams end in an Adler-32; squashfs-tools writes xz blocks with a CRC-32 check.
bool codec_checksummed(uint16_t c) { return c == 1 || c == 4; }

std::string payload_words(const PayloadCheck& p) { return describe_payload(p); }

void squashfs_proof(PartReport& p, const SquashfsInfo& q) {
  if (!q.read_ok && q.files == 0) {
    p.proof = "recognised";
    p.proof_detail = "squashfs superblock only (--quick, or the tables did not read)";
    return;
  }
  const char* codec = squashfs_codec(q.compression);
  std::string s = fmt::format("squashfs has no checksum of its own; every file was read ({} data blocks)", q.blocks);
  if (codec_checksummed(q.compression))
    s += fmt::format("; compressed blocks passed their {} check ({})", codec,
                     q.compression == 1 ? "Adler-32" : "CRC-32");
  else s += fmt::format("; {} blocks carry no checksum, so they were only decoded", codec);
  s += fmt::format("; {} blocks ({}) are stored uncompressed and covered by nothing", q.stored_blocks,
                   format_size(q.stored_bytes));
  s += "; the superblock and table indexes are covered by nothing";
  p.proof = codec_checksummed(q.compression) ? "partial" : "decoded";
  p.proof_detail = std::move(s);
}

void boot_proof(PartReport& p, const BootInfo& b) {
  std::vector<std::string> parts;
  bool all = true;
  if (b.ingenic_spl && b.spl_crc_ok && *b.spl_crc_ok)
    parts.push_back(
        fmt::format("SPL: CRC7 over 0x800..{} agrees (the boot ROM's own check; a 7-bit CRC lets 1 in "
                    "128 random corruptions through, and bytes 0..0x7ff are not covered)",
                    hex(b.spl_length)));
  else if (b.sigmastar_ipl) {
    parts.push_back(
        "SigmaStar IPL: recognised by its \"IPL_\" header only (its checksum format is not documented "
        "in any source camdump relies on)");
    all = false;
  } else {
    parts.push_back("no SPL checksum");
    all = false;
  }
  if (const auto& u = b.uboot_image) {
    parts.push_back(
        fmt::format("U-Boot: uImage header and data CRC-32{}", u->payload ? "; " + payload_words(*u->payload) : ""));
  } else if (b.uboot_raw) {
    parts.push_back(fmt::format("U-Boot: raw u-boot.bin recognised by its banner at {} (no checksum in the format)",
                                hex(*b.uboot_raw)));
    all = false;
  } else {
    all = false;
  }
  p.proof = all ? "checksum" : b.ingenic_spl || b.uboot_image ? "partial" : "recognised";
  p.proof_detail.clear();
  for (const auto& s : parts) p.proof_detail += (p.proof_detail.empty() ? "" : "; ") + s;
  if (all) p.proof_detail += "; padding between them is covered by nothing";
}

void ubi_proof(PartReport& p, const UbiInfo& u) {
  std::string s = fmt::format("UBI: {} EC and {} VID header CRCs", u.ec_headers, u.vid_headers);
  s += u.vtbl_ok ? ", volume table record CRCs" : ", no readable volume table";
  bool all = u.vtbl_ok;
  for (const auto& v : u.volumes) {
    std::string how;
    if (v.is_static) how = fmt::format("static: data CRC-32 of {} of {} LEBs", v.crc_lebs, v.lebs);
    else if (v.content == "ubifs") how = "dynamic: every UBIFS node CRC (the LPT area's own CRC-16s are not checked)";
    else if (v.content == "env") how = "dynamic: U-Boot env CRC-32";
    else if (v.content == "uimage") how = "dynamic: uImage CRC-32s";
    else if (v.content == "squashfs")
      how = "dynamic: squashfs read in full, but squashfs and dynamic UBI volumes have no data checksum";
    else if (v.content == "empty") how = "empty";
    else how = "dynamic: no checksum";
    const bool covered = v.is_static || v.content == "env" || v.content == "uimage" || v.content == "empty";
    all = all && covered;
    s += fmt::format("; volume '{}' {}", v.name, how);
  }
  p.proof = all ? "checksum" : "partial";
  p.proof_detail = std::move(s);
}

}  // namespace

void assign_proof(PartReport& p, const InspectReport& r) {
  if (p.overlapping) return;
  if (p.content == "blank" || p.content == "zero" || p.content == "missing") {
    p.proof = "none";
    p.proof_detail = p.content == "missing" ? "not in the image" : "no data to check";
  } else if (p.content == "env") {
    bool crc = false;
    for (const auto& e : r.envs)
      if (e.offset == p.offset) crc = e.crc_ok;
    p.proof = crc ? "checksum" : "none";
    p.proof_detail = crc ? "U-Boot env CRC-32 over the whole block (padding included)" : "env CRC does not agree";
  } else if (p.content == "uimage" && p.uimage) {
    const auto& u = *p.uimage;
    p.proof = u.header_crc_ok && u.data_crc_ok ? "checksum" : "none";
    p.proof_detail = fmt::format("uImage header and data CRC-32 over {}..{}{}", hex(u.offset),
                                 hex(u.offset + 64 + u.size), u.payload ? "; " + payload_words(*u.payload) : "");
  } else if (p.content == "squashfs" && p.squashfs) {
    squashfs_proof(p, *p.squashfs);
  } else if (p.content == "jffs2" && p.jffs2) {
    p.proof = "checksum";
    p.proof_detail =
        "JFFS2: every node's header CRC, and node + data/name CRCs of inodes and dirents; erased "
        "space and unknown node types carry none";
  } else if (p.content == "ubi" && p.ubi) {
    ubi_proof(p, *p.ubi);
  } else if (p.content == "boot") {
    boot_proof(p, r.boot);
  } else if (p.content == "payload") {
    p.proof = p.summary.find("CRC-32 ok") != std::string::npos || p.summary.find("xz check ok") != std::string::npos
                  ? "checksum"
                  : "decoded";
    p.proof_detail = p.summary + " (no container CRC)";
  } else {
    p.proof = "none";
    p.proof_detail = "unrecognised bytes: nothing checks them";
  }
  if (!p.ok) p.proof_detail = "a check FAILED (see the problems); " + p.proof_detail;
}

}  // namespace camdump::image::detail
