// SPDX-License-Identifier: MIT
// Read a raw dump back from an SD card (device or card image) where U-Boot's
// `mmc write ${baseaddr} 0x10 N` put it: N blocks of 512 bytes from block 16 (8 KiB, which leaves
// the MBR alone; docs/reference/field-behaviour.md#sd). Refuses to read past the end of the source.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/report.hpp"

namespace camdump::dump {

struct ExtractOptions {
  uint64_t size = 0;            ///< bytes to read (the flash size)
  uint64_t offset_blocks = 16;  ///< first block (0x10 in the U-Boot command)
  uint64_t block_size = 512;
  Reporter* reporter = nullptr;
  const CancelFlag* cancel = nullptr;
};

struct ExtractResult {
  uint64_t size = 0;
  uint64_t source_size = 0;
  std::string sha256, md5;
  uint32_t crc32 = 0;
};

/// Size of a regular file or block device (BLKGETSIZE64). Throws Error(NotFound/Permission/Io).
uint64_t source_size(const std::filesystem::path& source);

/// Copy [offset_blocks*block_size, +size) of `source` to `out` (not committed) and hash it.
/// Throws Error(Usage) when the range passes the end of the source.
ExtractResult extract_image(const std::filesystem::path& source, AtomicFile& out, const ExtractOptions& opt);

}  // namespace camdump::dump
