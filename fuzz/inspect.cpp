// SPDX-License-Identifier: MIT
// libFuzzer target over the whole inspector (image/inspect.hpp): random and mutated flash images
// through size/mirror checks, env scanning, mtdparts parsing, layout inference, uImage, squashfs
// (libsquashfs full read), JFFS2 and UBI checks, the short summary and the SVG map.
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/error.hpp"
#include "image/flash_map.hpp"
#include "image/inspect.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> img(data, size);
  try {
    camdump::image::InspectOptions opt;
    opt.show_secrets = size & 1;
    const auto r = camdump::image::inspect(img, opt);
    (void)camdump::image::short_summary(r);
    (void)camdump::image::flash_map_cells(r, 64);
    (void)camdump::image::flash_map_svg(r, "fuzz");
  } catch (const camdump::Error&) {
  }
  return 0;
}
