// SPDX-License-Identifier: MIT
// Decoding a compressed payload to its end, to check it: lzop files (the LZO U-Boot that
// uboot-ingenic wraps in a uImage), legacy .lzma and .xz (liblzma), gzip (zlib). The output is
// thrown away (or handed to a callback); what matters is whether the stream decodes to its end,
// how many bytes it produced, and whether a checksum inside the format (lzop Adler-32/CRC-32 per
// block, xz check, gzip CRC-32 + ISIZE) agreed. Formats: docs/reference/inspect-checksums.md.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "core/error.hpp"

namespace camdump::image {

enum class PayloadFormat { None, Lzop, Lzma, Xz, Gzip };

/// "lzop", "lzma", "xz", "gzip" or "none".
const char* payload_format_name(PayloadFormat f);

/// The format a payload starts with (magic bytes; lzma: a plausible properties header).
PayloadFormat sniff_payload(std::span<const uint8_t> d);

struct PayloadCheck {
  PayloadFormat format = PayloadFormat::None;
  bool ok = false;                       ///< decoded to its end without error (and checksums agreed)
  bool checksummed = false;              ///< a checksum inside the format covered the output and agreed
  uint64_t in_bytes = 0;                 ///< compressed bytes consumed
  uint64_t out_bytes = 0;                ///< decompressed bytes produced
  std::optional<uint64_t> expected_out;  ///< size the format's header declares, when it does
  uint64_t error_at = 0;                 ///< offset inside the payload where decoding failed
  std::string error;                     ///< what failed ("" when ok)
};

/// Decode `d` as `f` to its end. `sink` (optional) receives the decompressed bytes in order.
/// Never throws on damaged data; throws Error(Cancelled) when `cancel` is set.
PayloadCheck decode_payload(std::span<const uint8_t> d, PayloadFormat f, const CancelFlag* cancel = nullptr,
                            const std::function<void(std::span<const uint8_t>)>& sink = {});

/// One line: "lzma payload decoded to its end: 1.9 MiB (no checksum in the format)".
std::string describe_payload(const PayloadCheck& p);

}  // namespace camdump::image
