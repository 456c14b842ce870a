// SPDX-License-Identifier: MIT
// A Thingino-like flash image made in memory, for the virtual camera (sim:), `camdump demo`,
// benchmarks and tests: Ingenic SPL header, U-Boot, environment with mtdparts, kernel uImage,
// squashfs rootfs, JFFS2 data, blank (0xff) areas where a real camera has them. Deterministic
// for a given seed. Layout facts: docs/reference/image-formats.md.
#pragma once
#include <cstdint>
#include <vector>

namespace camdump::image {

struct SynthOptions {
  uint64_t flash_size = 16u << 20;  ///< 8, 16 or 32 MiB
  uint32_t seed = 1;
  enum class Layout {
    ThinginoCurrent,  ///< boot 320k, env 64k, backup 64k, kernel 1600k, rootfs, data, all (e08b02942)
    StockIngenic,     ///< 256k(boot),...,8M@0(all)-style vendor layout, env at 0x40000
  } layout = Layout::ThinginoCurrent;
};

/// Build the image. Every part is valid (CRCs, superblocks) so `camdump inspect` passes it.
std::vector<uint8_t> make_thingino_image(const SynthOptions& opt = {});

}  // namespace camdump::image
