// SPDX-License-Identifier: MIT
// Payload decoders for the inspector (see decompress.hpp). lzop container: lzop's src/lzop.c
// (header and block layout) as U-Boot's lib/lzo/lzo1x_decompress.c lzop_decompress() reads it;
// blocks through liblzo2's lzo1x_decompress_safe. .lzma/.xz through liblzma, gzip through zlib.
// Facts and sources: docs/reference/inspect-checksums.md §3.
#include "image/decompress.hpp"

#include <lzma.h>
#include <lzo/lzo1x.h>
#include <zlib.h>

#include <cstring>
#include <optional>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "core/size.hpp"
#include "image/inspect_util.hpp"

namespace camdump::image {
namespace {

using detail::rd_be32;
constexpr uint64_t kMaxOut = 256ull << 20;     // no camera payload decompresses to more
constexpr uint32_t kMaxLzopBlock = 64u << 20;  // lzop's MAX_BLOCK_SIZE
constexpr size_t kChunk = 1 << 20;
// The LZMA/xz header names the dictionary size and liblzma allocates it up front, so a
// hostile header asks for up to 4 GiB before one byte decodes. xz's largest preset (-9)
// uses a 64 MiB dictionary (xz(1), "Presets"); 128 MiB of decoder memory covers it twice.
constexpr uint64_t kLzmaMemLimit = 128ull << 20;

// lzop header flags (lzop src/conf.h).
constexpr uint32_t kAdler32D = 0x1, kAdler32C = 0x2, kExtraField = 0x40, kCrc32D = 0x100, kCrc32C = 0x200,
                   kFilter = 0x800, kHeaderCrc32 = 0x1000;

uint32_t adler(std::span<const uint8_t> d) { return uint32_t(adler32(1, d.data(), uInt(d.size()))); }
uint32_t crc(std::span<const uint8_t> d) { return uint32_t(crc32(0, d.data(), uInt(d.size()))); }

PayloadCheck fail_at(PayloadCheck p, uint64_t at, std::string why) {
  p.ok = false;
  p.error_at = at;
  p.error = std::move(why);
  return p;
}

// Big-endian reads through an lzop stream.
struct LzopCursor {
  std::span<const uint8_t> d;
  size_t pos = 0;
  bool need(size_t n) const { return pos + n <= d.size(); }
  uint16_t u16() {
    uint16_t v = uint16_t(d[pos] << 8 | d[pos + 1]);
    pos += 2;
    return v;
  }
  uint32_t u32() {
    uint32_t v = rd_be32(d.data() + pos);
    pos += 4;
    return v;
  }
};

// The file header after the magic (lzop's p_header layout, by version): its flags, or the
// failure with its offset.
std::variant<uint32_t, PayloadCheck> read_lzop_header(LzopCursor& c, const PayloadCheck& p) {
  const uint16_t version = c.u16();
  if (version < 0x0900) return fail_at(p, 9, fmt::format("lzop header version {:#x} is too old", version));
  c.pos += 2;                         // library version
  if (version >= 0x0940) c.pos += 2;  // version needed to extract
  const uint8_t method = c.d[c.pos++];
  if (version >= 0x0940) ++c.pos;  // level
  if (!c.need(4)) return fail_at(p, c.pos, "lzop header cut off");
  const uint32_t flags = c.u32();
  if (flags & kFilter) c.pos += 4;
  c.pos += 8;                         // mode, mtime low
  if (version >= 0x0940) c.pos += 4;  // mtime high
  if (!c.need(1)) return fail_at(p, c.pos, "lzop header cut off");
  c.pos += size_t{1} + c.d[c.pos];  // file name
  if (!c.need(4)) return fail_at(p, c.pos, "lzop header cut off");
  const auto hdr = c.d.subspan(9, c.pos - 9);
  const uint32_t stored = c.u32();
  if ((flags & kHeaderCrc32 ? crc(hdr) : adler(hdr)) != stored)
    return fail_at(p, c.pos - 4, "lzop header checksum mismatch");
  if (method < 1 || method > 3) return fail_at(p, c.pos, fmt::format("lzop method {} is not LZO1X", method));
  if (flags & kExtraField) {
    if (!c.need(4)) return fail_at(p, c.pos, "lzop extra field cut off");
    const uint32_t extra = c.u32();
    c.pos += uint64_t(extra) + 4;  // the field and its checksum
  }
  return flags;
}

// One block after its two lengths: checksums of the compressed data, LZO1X decompression into
// `out` (a stored block is its own plain text), checksums of the plain data. nullopt when good
// (`plain` then holds the block's bytes), else the failure.
std::optional<PayloadCheck> decode_lzop_block(LzopCursor& c, uint32_t flags, size_t block, uint32_t src_len,
                                              uint32_t dst_len, std::vector<uint8_t>& out,
                                              std::span<const uint8_t>& plain, bool& summed, const PayloadCheck& p) {
  const size_t nsum_d = (flags & kAdler32D ? 1 : 0) + (flags & kCrc32D ? 1 : 0);
  const size_t nsum_c = src_len < dst_len ? (flags & kAdler32C ? 1 : 0) + (flags & kCrc32C ? 1 : 0) : 0;
  if (!c.need(4 * (nsum_d + nsum_c) + src_len))
    return fail_at(p, block, fmt::format("lzop block at {} is cut off", hex(block)));
  const uint8_t* sums = c.d.data() + c.pos;
  c.pos += 4 * (nsum_d + nsum_c);
  const auto src = c.d.subspan(c.pos, src_len);
  const uint8_t* cs = sums + 4 * nsum_d;
  if ((flags & kAdler32C) && nsum_c && adler(src) != rd_be32(cs))
    return fail_at(p, c.pos, fmt::format("lzop block at {}: compressed data checksum mismatch", hex(block)));
  if ((flags & kCrc32C) && nsum_c && crc(src) != rd_be32(cs + ((flags & kAdler32C) ? 4 : 0)))
    return fail_at(p, c.pos, fmt::format("lzop block at {}: compressed data CRC mismatch", hex(block)));
  plain = src;
  if (src_len < dst_len) {
    out.resize(dst_len);
    lzo_uint got = dst_len;
    const int r = lzo1x_decompress_safe(const_cast<uint8_t*>(src.data()), src_len, out.data(), &got, nullptr);
    if (r != LZO_E_OK || got != dst_len)
      return fail_at(p, c.pos,
                     fmt::format("lzop block at {} fails to decompress (LZO error {}, {} of {} bytes)", hex(block), r,
                                 got, dst_len));
    plain = {out.data(), dst_len};
  }
  if ((flags & kAdler32D) && adler(plain) != rd_be32(sums))
    return fail_at(p, c.pos, fmt::format("lzop block at {}: decompressed data checksum mismatch", hex(block)));
  if ((flags & kCrc32D) && crc(plain) != rd_be32(sums + ((flags & kAdler32D) ? 4 : 0)))
    return fail_at(p, c.pos, fmt::format("lzop block at {}: decompressed data CRC mismatch", hex(block)));
  summed = nsum_d != 0;
  c.pos += src_len;
  return std::nullopt;
}

PayloadCheck decode_lzop(std::span<const uint8_t> d, const CancelFlag* cancel,
                         const std::function<void(std::span<const uint8_t>)>& sink) {
  PayloadCheck p;
  p.format = PayloadFormat::Lzop;
  static const uint8_t kMagic[9] = {0x89, 'L', 'Z', 'O', 0x00, 0x0d, 0x0a, 0x1a, 0x0a};
  if (d.size() < 9 + 25 || std::memcmp(d.data(), kMagic, 9) != 0) return fail_at(p, 0, "no lzop header");
  static bool inited = lzo_init() == LZO_E_OK;
  if (!inited) return fail_at(p, 0, "liblzo2 failed to initialise");
  LzopCursor c{d, 9};
  const auto header = read_lzop_header(c, p);
  if (const auto* bad = std::get_if<PayloadCheck>(&header)) return *bad;
  const uint32_t flags = std::get<uint32_t>(header);
  std::vector<uint8_t> out;
  uint64_t expected = 0;
  bool any_sum = false;
  for (;;) {
    check_cancel(cancel);
    const size_t block = c.pos;
    if (!c.need(4)) return fail_at(p, c.pos, "lzop data ends without its end marker");
    const uint32_t dst_len = c.u32();
    if (dst_len == 0) break;
    if (!c.need(4)) return fail_at(p, block, "lzop block header cut off");
    const uint32_t src_len = c.u32();
    if (dst_len > kMaxLzopBlock || src_len > dst_len || expected + dst_len > kMaxOut)
      return fail_at(
          p, block, fmt::format("lzop block at {} declares {} -> {} bytes (impossible)", hex(block), src_len, dst_len));
    expected += dst_len;
    std::span<const uint8_t> plain;
    bool summed = false;
    if (auto bad = decode_lzop_block(c, flags, block, src_len, dst_len, out, plain, summed, p)) return *bad;
    any_sum = any_sum || summed;
    if (sink) sink(plain);
    p.out_bytes += dst_len;
  }
  p.in_bytes = c.pos;
  p.expected_out = expected;
  p.checksummed = any_sum;
  p.ok = true;
  return p;
}

PayloadCheck decode_lzma(std::span<const uint8_t> d, PayloadFormat f, const CancelFlag* cancel,
                         const std::function<void(std::span<const uint8_t>)>& sink) {
  PayloadCheck p;
  p.format = f;
  lzma_stream s = LZMA_STREAM_INIT;
  const lzma_ret init = f == PayloadFormat::Xz ? lzma_stream_decoder(&s, kLzmaMemLimit, LZMA_TELL_NO_CHECK)
                                               : lzma_alone_decoder(&s, kLzmaMemLimit);
  if (init != LZMA_OK) return fail_at(p, 0, "liblzma failed to initialise");
  if (f == PayloadFormat::Lzma && d.size() >= 13) {
    uint64_t declared = detail::rd_le64(d.data() + 5);
    if (declared != UINT64_MAX) p.expected_out = declared;
  }
  std::vector<uint8_t> out(kChunk);
  s.next_in = d.data();
  s.avail_in = d.size();
  lzma_ret r = LZMA_OK;
  bool no_check = false, too_big = false;
  while (r == LZMA_OK || r == LZMA_NO_CHECK) {
    check_cancel(cancel);
    s.next_out = out.data();
    s.avail_out = out.size();
    r = lzma_code(&s, LZMA_FINISH);
    if (r == LZMA_NO_CHECK) no_check = true;
    const size_t got = out.size() - s.avail_out;
    if (sink && got) sink({out.data(), got});
    if (s.total_out > kMaxOut) {
      too_big = true;
      break;
    }
  }
  p.in_bytes = s.total_in;
  p.out_bytes = s.total_out;
  lzma_end(&s);
  if (r != LZMA_STREAM_END) {
    const char* why = r == LZMA_DATA_ERROR       ? "corrupt compressed data"
                      : r == LZMA_BUF_ERROR      ? "the data ends before the stream does"
                      : r == LZMA_FORMAT_ERROR   ? "not a valid header"
                      : r == LZMA_OPTIONS_ERROR  ? "unsupported options"
                      : too_big                  ? "decompresses to more than 256 MiB"
                      : r == LZMA_MEMLIMIT_ERROR ? "its header asks for a dictionary larger than 128 MiB"
                                                 : "decoder error";
    return fail_at(p, p.in_bytes,
                   fmt::format("{} stream fails at byte {}: {}", payload_format_name(f), p.in_bytes, why));
  }
  p.checksummed = f == PayloadFormat::Xz && !no_check;  // the xz check (CRC32/CRC64/SHA-256) was verified
  p.ok = true;
  return p;
}

PayloadCheck decode_gzip(std::span<const uint8_t> d, const CancelFlag* cancel,
                         const std::function<void(std::span<const uint8_t>)>& sink) {
  PayloadCheck p;
  p.format = PayloadFormat::Gzip;
  z_stream z{};
  if (inflateInit2(&z, 16 + 15) != Z_OK) return fail_at(p, 0, "zlib failed to initialise");
  std::vector<uint8_t> out(kChunk);
  z.next_in = const_cast<Bytef*>(d.data());
  z.avail_in = uInt(std::min<size_t>(d.size(), UINT32_MAX));
  int r = Z_OK;
  while (r == Z_OK) {
    check_cancel(cancel);
    z.next_out = out.data();
    z.avail_out = uInt(out.size());
    r = inflate(&z, Z_NO_FLUSH);
    const size_t got = out.size() - z.avail_out;
    if (sink && got) sink({out.data(), got});
    if (r == Z_OK && got == 0 && z.avail_in == 0) r = Z_BUF_ERROR;
    if (z.total_out > kMaxOut) r = Z_MEM_ERROR;
  }
  p.in_bytes = z.total_in;
  p.out_bytes = z.total_out;
  const std::string msg = z.msg ? z.msg : "";
  inflateEnd(&z);
  if (r != Z_STREAM_END)
    return fail_at(p, p.in_bytes,
                   fmt::format("gzip stream fails at byte {}: {}", p.in_bytes,
                               r == Z_BUF_ERROR ? "the data ends before the stream does"
                               : !msg.empty()   ? msg
                                                : "decoder error"));
  p.checksummed = true;  // the gzip trailer's CRC-32 and length were checked by inflate
  p.ok = true;
  return p;
}

}  // namespace

const char* payload_format_name(PayloadFormat f) {
  switch (f) {
    case PayloadFormat::Lzop: return "lzop";
    case PayloadFormat::Lzma: return "lzma";
    case PayloadFormat::Xz: return "xz";
    case PayloadFormat::Gzip: return "gzip";
    case PayloadFormat::None: break;
  }
  return "none";
}

PayloadFormat sniff_payload(std::span<const uint8_t> d) {
  if (d.size() >= 9 && d[0] == 0x89 && d[1] == 'L' && d[2] == 'Z' && d[3] == 'O') return PayloadFormat::Lzop;
  if (d.size() >= 6 && std::memcmp(d.data(),
                                   "\xfd"
                                   "7zXZ\0",
                                   6) == 0)
    return PayloadFormat::Xz;
  if (d.size() >= 3 && d[0] == 0x1f && d[1] == 0x8b && d[2] == 8) return PayloadFormat::Gzip;
  // .lzma: properties byte lc/lp/pb < 225 (0x5d is the usual), a power-of-two-ish dictionary.
  if (d.size() >= 13 && d[0] < 225) {
    const uint32_t dict = detail::rd_le32(d.data() + 1);
    if (dict >= 4096 && dict <= (1u << 30) && (dict & (dict - 1)) == 0) return PayloadFormat::Lzma;
  }
  return PayloadFormat::None;
}

PayloadCheck decode_payload(std::span<const uint8_t> d, PayloadFormat f, const CancelFlag* cancel,
                            const std::function<void(std::span<const uint8_t>)>& sink) {
  switch (f) {
    case PayloadFormat::Lzop: return decode_lzop(d, cancel, sink);
    case PayloadFormat::Lzma:
    case PayloadFormat::Xz: return decode_lzma(d, f, cancel, sink);
    case PayloadFormat::Gzip: return decode_gzip(d, cancel, sink);
    case PayloadFormat::None: break;
  }
  PayloadCheck p;
  p.error = "not a compressed payload";
  return p;
}

std::string describe_payload(const PayloadCheck& p) {
  const char* name = payload_format_name(p.format);
  if (!p.ok) return fmt::format("{} payload BAD: {}", name, p.error);
  std::string s = fmt::format("{} payload decoded to its end: {}", name, format_size(p.out_bytes));
  if (p.format == PayloadFormat::Lzop)
    return s + (p.checksummed ? ", every block's checksum ok" : " (no block checksums)");
  if (p.checksummed) return s + (p.format == PayloadFormat::Gzip ? ", CRC-32 ok" : ", xz check ok");
  return s + " (the format has no checksum)";
}

}  // namespace camdump::image
