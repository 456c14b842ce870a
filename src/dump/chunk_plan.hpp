// SPDX-License-Identifier: MIT
// Chunk planning and the resume state of a chunked dump (UART md route, reused by TFTP/SD).
// A range [offset, offset+length) is cut into chunks of `chunk` bytes (the last may be shorter);
// each chunk ends Pending, Verified (device crc32 == local) or Blank (device crc32 == crc of an
// all-0xff chunk, not transferred). The state file OUT.part.state is plain text so a user can read
// it:
//   camdump-uart-state 1
//   offset 0x0
//   length 0x1000000
//   chunk 0x10000
//   flash 0x1000000
//   c 0 v 1a2b3c4d        (index, v=verified / b=blank, device crc32)
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace camdump::dump {

enum class ChunkStatus : uint8_t { Pending, Verified, Blank };

struct Chunk {
  uint64_t offset = 0;  ///< flash offset
  uint64_t len = 0;
  ChunkStatus status = ChunkStatus::Pending;
  uint32_t crc = 0;     ///< device crc32 when not Pending
};

struct ChunkPlan {
  uint64_t offset = 0, length = 0, chunk = 0, flash_size = 0;
  std::vector<Chunk> chunks;

  /// Cut [offset, offset+length) into chunks. chunk must be a non-zero multiple of 16.
  static ChunkPlan make(uint64_t offset, uint64_t length, uint64_t chunk, uint64_t flash_size);
  uint64_t settled_bytes() const;   ///< verified + blank
  uint64_t blank_bytes() const;
  /// CRC32 of the whole range from the chunk CRCs (all must be settled).
  uint32_t combined_crc() const;
  /// The state file text (header + one line per settled chunk).
  std::string state_text() const;
  /// One state line for an appended chunk.
  static std::string state_line(size_t index, const Chunk& c);
};

/// Parse a state file. Throws Error(Corrupt) on a damaged file; a truncated last line (power loss
/// mid-append) is ignored.
ChunkPlan parse_state(std::string_view text);

}  // namespace camdump::dump
