// SPDX-License-Identifier: MIT
// Writing the image a hexlog reader holds: OUT.part, renamed when complete, with the CRC-32 (to
// compare with U-Boot's `crc32`) and SHA-256 of what was written.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

#include "core/error.hpp"
#include "dump/hexlog.hpp"

namespace camdump::dump {

struct WrittenImage {
  uint32_t crc32 = 0;
  std::string sha256;
};

/// Write bytes [start, start+size) of `reader`'s image to `out` (bytes never read as `fill`;
/// bytes read differently twice as the first read when `as_read`, else as `fill`) and commit it.
/// The hashes are computed on one second thread while this one writes (to the disk directly).
WrittenImage write_hexlog_image(const HexlogReader& reader, uint64_t start, uint64_t size, uint8_t fill, bool as_read,
                                const std::filesystem::path& out, const CancelFlag* cancel = nullptr);

}  // namespace camdump::dump
