// SPDX-License-Identifier: MIT
// Read a flash N times and keep only bytes that agree (the checking people do by hand with two
// `snander -r` and md5sum). Pass 1 streams to OUT.part; later passes compare unit by unit; units
// that differ are re-read until two reads agree (bounded). The result says which ranges never
// settled; the caller commits OUT only when none are left.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/report.hpp"
#include "spi/flash_source.hpp"

namespace camdump::spi {

struct VerifyOptions {
  unsigned reads = 2;        ///< full passes (≥1; 1 = no verification)
  unsigned max_rereads = 8;  ///< extra reads per disputed unit before giving up
  uint64_t offset = 0;       ///< image range to read
  uint64_t length = 0;       ///< 0 = to the end
  /// A previous run's pass 1 already in `out` for [offset, offset+resume_bytes): loaded instead
  /// of read again. Later passes compare it with the chip like any other byte, so with reads ≥ 2
  /// nothing of it is trusted unchecked.
  uint64_t resume_bytes = 0;
};

struct ByteRange {
  uint64_t begin = 0, end = 0;
};

struct VerifyResult {
  std::vector<ByteRange> unsettled;  ///< image ranges where no two reads agreed
  uint64_t disputed_units = 0;       ///< units that differed between passes
  uint64_t rereads = 0;              ///< extra unit reads done
  uint64_t bytes_read = 0;           ///< flash bytes read in all
  uint64_t resumed_bytes = 0;        ///< taken from a previous run's pass 1 (then re-checked)
  std::string sha256;                ///< of the output bytes
  bool ok() const { return unsettled.empty(); }
};

/// Progress of a read that failed half-way, for the ".part kept" note.
struct ReadProgress {
  uint64_t first_pass_done = 0;  ///< image bytes (from offset) written to OUT.part by pass 1
};

/// Runs the passes, writing to `out` (relative to opts.offset). Throws what the source throws
/// (transport faults); `progress` tells how far pass 1 got.
VerifyResult verified_read(FlashSource& src, AtomicFile& out, const VerifyOptions& opts, Reporter& rep,
                           const CancelFlag* cancel, ReadProgress& progress,
                           const std::function<uint64_t()>& wire_bytes = {});

}  // namespace camdump::spi
