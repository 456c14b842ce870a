// SPDX-License-Identifier: MIT
// libFuzzer target over the whole inspector (image/inspect.hpp): random and mutated flash images
// through size/mirror checks, env scanning, mtdparts parsing, layout inference, the Ingenic SPL
// CRC7, the U-Boot uImage and its lzop payload, uImage/bare kernel payloads (lzma/xz/gzip),
// squashfs (libsquashfs full read), JFFS2, UBI (EC/VID headers, volume table, volumes rebuilt and
// checked: env, squashfs, UBIFS nodes), the short summary and the SVG map. The payload decoders
// (image/decompress.hpp) are also fed the input directly in every format, so lzop/lzma/xz/gzip
// headers and blocks are reached without a surrounding image.
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/error.hpp"
#include "image/decompress.hpp"
#include "image/flash_map.hpp"
#include "image/inspect.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> img(data, size);
  using camdump::image::PayloadFormat;
  for (PayloadFormat f : {PayloadFormat::Lzop, PayloadFormat::Lzma, PayloadFormat::Xz, PayloadFormat::Gzip})
    (void)camdump::image::describe_payload(camdump::image::decode_payload(img, f));
  (void)camdump::image::sniff_payload(img);
  try {
    camdump::image::InspectOptions opt;
    opt.show_secrets = size & 1;
    const auto r = camdump::image::inspect(img, opt);
    (void)camdump::image::short_summary(r);
    (void)camdump::image::flash_map_cells(r, 64);
    (void)camdump::image::flash_map_svg(r, "fuzz");
  } catch (const camdump::Error&) {}
  return 0;
}
