// SPDX-License-Identifier: MIT
// What U-Boot would decompress, decoded here to its end (docs/reference/inspect-checksums.md §2-3):
// the U-Boot uImage after the SPL (uboot-ingenic Makefile u-boot-lzo.img: `lzop` output wrapped
// by `mkimage -C lzo`; the header's data CRC covers the lzop file, the lzop blocks carry their own
// Adler-32), a raw modern u-boot.bin found by its "U-Boot 20xx" banner, and kernel payloads
// (uImage gzip/lzma/lzo data, or a bare gzip/xz/lzma kernel whose container has no CRC).
#include <algorithm>
#include <string_view>

#include <fmt/format.h>

#include "core/size.hpp"
#include "image/inspect_checks.hpp"
#include "image/inspect_util.hpp"

namespace camdump::image::detail {
namespace {

constexpr uint8_t kCompNone = 0, kCompGzip = 1, kCompLzma = 3, kCompLzo = 4;

PayloadFormat uimage_format(uint8_t comp) {
  switch (comp) {
    case kCompGzip: return PayloadFormat::Gzip;
    case kCompLzma: return PayloadFormat::Lzma;
    case kCompLzo: return PayloadFormat::Lzop;
    default: return PayloadFormat::None;
  }
}

// First "U-Boot 20xx..." banner in a stream of chunks (a banner may straddle two chunks).
struct BannerFinder {
  std::string tail, found;
  void operator()(std::span<const uint8_t> d) {
    if (!found.empty()) return;
    std::string s = tail + std::string(reinterpret_cast<const char*>(d.data()), d.size());
    for (size_t at = s.find("U-Boot 20"); at != std::string::npos; at = s.find("U-Boot 20", at + 1)) {
      size_t e = at;
      while (e < s.size() && e - at < 100 && s[e] >= 0x20 && s[e] < 0x7f) ++e;
      if (e == s.size() && e - at < 100) {
        tail = s.substr(at);
        return;
      }  // continues in the next chunk
      if (e - at > 16) {
        found = s.substr(at, e - at);
        return;
      }
    }
    tail = s.size() > 128 ? s.substr(s.size() - 128) : s;
  }
};

}  // namespace

void check_uboot(std::span<const uint8_t> img, uint64_t boot_end, BootInfo& b, const CancelFlag* cancel,
                 std::vector<Problem>& out) {
  const uint64_t end = std::min<uint64_t>(boot_end, img.size());
  if (b.uboot_uimage && *b.uboot_uimage < end) {
    auto u = check_uimage(img, *b.uboot_uimage, end);
    if (!u) return;
    uimage_problems(*u, "boot", out);
    if (u->header_crc_ok && !u->truncated) {
      const auto data = img.subspan(size_t(u->offset + 64), u->size);
      BannerFinder banner;
      if (u->comp == kCompNone) {
        banner(data);
      } else if (PayloadFormat f = uimage_format(u->comp); f != PayloadFormat::None) {
        u->payload = decode_payload(data, f, cancel, std::ref(banner));
        if (!u->payload->ok && u->data_crc_ok)  // CRC fine but the payload broken: built wrong
          out.push_back({"boot", u->offset + 64 + u->payload->error_at,
                         fmt::format("U-Boot {} payload at {} does not decode although its CRC agrees: {}",
                                     payload_format_name(f), hex(u->offset + 64), u->payload->error)});
      }
      b.uboot_payload_version = banner.found;
    }
    b.uboot_image = std::move(u);
    return;
  }
  // No uImage: a modern U-Boot is stored raw (u-boot.bin / u-boot-with-spl.bin). Its banner is the
  // only thing that recognises it; nothing in the format checks its bytes.
  const uint64_t from = b.ingenic_spl ? std::min<uint64_t>(b.spl_length, end) : 0;
  std::string_view text(reinterpret_cast<const char*>(img.data()), size_t(end));
  for (size_t at = text.find("U-Boot 20", size_t(from)); at != std::string_view::npos;
       at = text.find("U-Boot 20", at + 1)) {
    if (text.compare(at, 13, "U-Boot SPL 20") == 0) continue;
    b.uboot_raw = at;
    break;
  }
}

std::optional<PayloadCheck> check_kernel_payload(std::span<const uint8_t> img, UImageInfo& u, const std::string& part,
                                                 const CancelFlag* cancel, std::vector<Problem>& out) {
  if (!u.header_crc_ok || u.truncated || (u.type != 2 && u.type != 5)) return std::nullopt;
  const PayloadFormat f = uimage_format(u.comp);
  if (f == PayloadFormat::None) return std::nullopt;
  u.payload = decode_payload(img.subspan(size_t(u.offset + 64), u.size), f, cancel);
  if (!u.payload->ok && u.data_crc_ok)
    out.push_back({part, u.offset + 64 + u.payload->error_at,
                   fmt::format("{} payload of the uImage at {} does not decode although its CRC agrees: {}",
                               payload_format_name(f), hex(u.offset), u.payload->error)});
  return u.payload;
}

std::optional<PayloadCheck> check_bare_payload(std::span<const uint8_t> img, uint64_t off, uint64_t end,
                                               const std::string& part, const CancelFlag* cancel,
                                               std::vector<Problem>& out) {
  end = std::min<uint64_t>(end, img.size());
  if (off >= end) return std::nullopt;
  const auto d = img.subspan(size_t(off), size_t(end - off));
  const PayloadFormat f = sniff_payload(d);
  if (f == PayloadFormat::None || f == PayloadFormat::Lzop) return std::nullopt;
  PayloadCheck p = decode_payload(d, f, cancel);
  // A false lzma sniff (any byte < 225 followed by a power of two) fails at once: not a payload.
  if (f == PayloadFormat::Lzma && !p.ok && p.out_bytes < 4096) return std::nullopt;
  if (!p.ok)
    out.push_back({part, off + p.error_at,
                   fmt::format("{} stream at {} breaks at {}: {}", payload_format_name(f), hex(off),
                               hex(off + p.error_at), p.error)});
  return p;
}

}  // namespace camdump::image::detail
