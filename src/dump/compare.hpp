// SPDX-License-Identifier: MIT
// Compare two or more dumps of the same flash: size, MD5, SHA-256, CRC-32 of each, and the byte
// ranges where they differ (merged, with which files agree). With three or more equal-sized
// files, a byte-wise majority vote can rebuild the image and list the bytes without a majority.
// Streams all files side by side in 1 MiB blocks: memory does not grow with the file size.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/report.hpp"

namespace camdump::dump {

struct CompareFileInfo {
  std::filesystem::path path;
  uint64_t size = 0;
  std::string md5, sha256;
  uint32_t crc32 = 0;
};

struct DiffRange {
  uint64_t offset = 0;
  uint64_t size = 0;
  /// Files grouped by the value they hold here (indexes into the file list); a file shorter than
  /// the range start is in no group. Several groups = they disagree.
  std::vector<std::vector<unsigned>> groups;
};

struct CompareOptions {
  size_t max_ranges = 1000;        ///< ranges kept in detail; the rest only counted
  AtomicFile* vote_out = nullptr;  ///< write the byte-wise majority here (>= 3 equal-sized files)
  Reporter* reporter = nullptr;
  const CancelFlag* cancel = nullptr;
};

struct CompareResult {
  std::vector<CompareFileInfo> files;
  bool identical = false;
  bool sizes_differ = false;
  uint64_t differing_bytes = 0;
  std::vector<DiffRange> ranges;  ///< merged runs of differing bytes with the same grouping
  uint64_t ranges_dropped = 0;
  // Vote (when vote_out was given):
  bool voted = false;
  uint64_t undecided_bytes = 0;      ///< bytes without a strict majority
  std::vector<DiffRange> undecided;  ///< where (ranges, same merging)
};

/// Throws Error(Usage) for fewer than 2 files (or a vote with < 3 or unequal sizes), Error(Io/...)
/// on read errors. Does not commit vote_out: the caller commits when undecided_bytes == 0.
CompareResult compare_files(const std::vector<std::filesystem::path>& files, const CompareOptions& opt = {});

}  // namespace camdump::dump
