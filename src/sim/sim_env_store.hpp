// SPDX-License-Identifier: MIT
// Internal to the virtual camera: the environment as stored in flash, which a boot loads and
// `saveenv` replaces (kept in the sim only: the flash image is never modified, so a dump stays
// comparable). The running variables are Machine::env_.
#pragma once
#include <cstdint>
#include <map>
#include <span>
#include <string>

namespace camdump::sim {

struct EnvStore {
  /// The env block of the image (docs/reference/image-formats.md#env: CRC32 + "k=v\0...", at
  /// 0x50000 on current Thingino, 0x40000 on stock Ingenic), else U-Boot's default environment.
  void load(std::span<const uint8_t> flash);

  std::map<std::string, std::string> saved;
  uint64_t size = 0x10000 - 4;  ///< bytes for variables (printenv's "Environment size: N/size")
};

}  // namespace camdump::sim
