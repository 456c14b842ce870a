// SPDX-License-Identifier: MIT
// `camdump sdcard IMAGE /dev/sdX`: put an image on an SD card where `camdump restore sd` (and the
// dumping guide's `dd if=/dev/sdX of=fw.bin bs=512 skip=16`, the inverse `camdump extract`) expects
// it: from 512-byte block 16 (byte 8192), leaving the partition table in block 0 alone. Refuses a
// mounted device (or one with a mounted partition) and anything that is neither a block device nor
// a regular file; asks before writing (confirm callback); writes, flushes, drops the cached pages
// and reads the range back, which must equal the image.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "core/error.hpp"
#include "core/report.hpp"

namespace camdump::dump {

inline constexpr uint64_t kSdcardImageOffset = uint64_t{16} * 512;  ///< block 16

struct SdcardWriteOptions {
  std::filesystem::path image, target;
  /// Shown what will be overwritten; false = stop. Empty = proceed (--yes).
  std::function<bool(const std::string& what)> confirm;
  /// The mount table to check (tests give their own); default /proc/self/mounts.
  std::filesystem::path mounts = "/proc/self/mounts";
};

struct SdcardWriteResult {
  uint64_t bytes = 0, offset = kSdcardImageOffset, target_size = 0;
  bool block_device = false;
  std::string sha256;  ///< of the bytes read back (== the image's)
  double seconds = 0;
};

/// Throws Error: Usage (mounted, not a block device or file, too small), Cancelled (not confirmed),
/// Io, VerifyMismatch (the read-back differs).
SdcardWriteResult write_sdcard(const SdcardWriteOptions& o, Reporter& rep, const CancelFlag* cancel);

/// Whether `target` or one of its partitions is mounted according to `mounts` (a mounts file).
std::string mounted_as(const std::filesystem::path& target, const std::filesystem::path& mounts);

}  // namespace camdump::dump
