// SPDX-License-Identifier: MIT
// Legacy uImage check (U-Boot include/image.h struct legacy_img_hdr, big-endian; both CRCs are
// zlib CRC-32, the header one with ih_hcrc zeroed: boot/image.c image_check_hcrc). docs/reference/image-formats.md#uimage.
#include <array>
#include <cstring>

#include <fmt/format.h>

#include "core/crc32.hpp"
#include "core/size.hpp"
#include "image/inspect_checks.hpp"
#include "image/inspect_util.hpp"

namespace camdump::image::detail {
namespace {

const char* comp_name(uint8_t c) {
  static const char* const k[] = {"none", "gzip", "bzip2", "lzma", "lzo", "lz4", "zstd"};
  return c < 7 ? k[c] : "unknown-compression";
}
const char* arch_name(uint8_t a) {
  switch (a) {
    case 2: return "ARM";
    case 3: return "x86";
    case 5: return "MIPS";
    case 22: return "ARM64";
    case 26: return "RISC-V";
    default: return "arch?";
  }
}
const char* type_name(uint8_t t) {
  switch (t) {
    case 1: return "standalone";
    case 2: return "kernel";
    case 3: return "ramdisk";
    case 4: return "multi";
    case 5: return "firmware";
    case 6: return "script";
    case 8: return "flat_dt";
    default: return "type?";
  }
}

}  // namespace

std::optional<UImageInfo> check_uimage(std::span<const uint8_t> img, uint64_t off, uint64_t limit) {
  if (off + 64 > img.size() || rd_be32(img.data() + off) != 0x27051956) return std::nullopt;
  const uint8_t* h = img.data() + off;
  UImageInfo u;
  u.offset = off;
  std::array<uint8_t, 64> copy;
  std::memcpy(copy.data(), h, 64);
  std::memset(copy.data() + 4, 0, 4);
  u.header_crc_ok = crc32(copy) == rd_be32(h + 4);
  u.time = rd_be32(h + 8);
  u.size = rd_be32(h + 12);
  u.load = rd_be32(h + 16);
  u.entry = rd_be32(h + 20);
  u.os = h[28];
  u.arch = h[29];
  u.type = h[30];
  u.comp = h[31];
  const char* n = reinterpret_cast<const char*>(h + 32);
  u.name.assign(n, strnlen(n, 32));
  for (char& c : u.name)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
  if (!u.header_crc_ok) return u;
  const uint64_t end = off + 64 + u.size;
  if (end > std::min<uint64_t>(limit, img.size())) {
    u.truncated = true;
    return u;
  }
  u.data_crc_ok = crc32(img.subspan(size_t(off + 64), u.size)) == rd_be32(h + 24);
  return u;
}

std::string describe_uimage(const UImageInfo& u) {
  std::string s = fmt::format("uImage {} {} {} '{}' {}, load {} entry {}", comp_name(u.comp), arch_name(u.arch),
                              type_name(u.type), u.name, format_size(u.size), hex(u.load, 8), hex(u.entry, 8));
  if (!u.header_crc_ok) return s + ", header CRC BAD";
  if (u.truncated) return s + ", TRUNCATED";
  return s + (u.data_crc_ok ? ", CRCs ok" : ", data CRC BAD");
}

void uimage_problems(const UImageInfo& u, const std::string& part, std::vector<Problem>& out) {
  if (!u.header_crc_ok) out.push_back({part, u.offset, fmt::format("uImage header CRC mismatch at {}", hex(u.offset))});
  else if (u.truncated)
    out.push_back({part, u.offset,
                   fmt::format("uImage at {} declares {} bytes of data, which run past the end of the "
                               "part/image",
                               hex(u.offset), u.size)});
  else if (!u.data_crc_ok)
    out.push_back({part, u.offset + 64,
                   fmt::format("uImage data CRC mismatch in {}..{} (corrupt data{})", hex(u.offset + 64),
                               hex(u.offset + 64 + u.size),
                               u.payload && !u.payload->ok ? fmt::format("; its {} stream breaks near {}",
                                                                         payload_format_name(u.payload->format),
                                                                         hex(u.offset + 64 + u.payload->error_at))
                                                           : "")});
}

}  // namespace camdump::image::detail
