// SPDX-License-Identifier: MIT
// Chunk planning and the resume state of a chunked dump (the UART md and TFTP routes).
// A range [offset, offset+length) is cut into chunks of `chunk` bytes (the last may be shorter);
// each chunk ends Pending, Verified (device crc32 == local) or Blank (device crc32 == crc of an
// all-0xff chunk, not transferred). The state file OUT.part.state is a dump/resume_state.hpp file
// of kind "chunks": offset, length, chunk, flash, part_size (bytes of OUT.part when it was
// written) and one `chunk.N=verified|blank CRC` line per settled chunk, each CRC that of the bytes
// at the chunk's place in OUT.part (so a resumed run checks the file and the device against it).
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dump/resume_state.hpp"

namespace camdump::dump {

enum class ChunkStatus : uint8_t { Pending, Verified, Blank };

struct Chunk {
  uint64_t offset = 0;  ///< flash offset
  uint64_t len = 0;
  ChunkStatus status = ChunkStatus::Pending;
  uint32_t crc = 0;  ///< device crc32 when not Pending
};

struct ChunkPlan {
  uint64_t offset = 0, length = 0, chunk = 0, flash_size = 0;
  std::vector<Chunk> chunks;

  /// Cut [offset, offset+length) into chunks. chunk must be a non-zero multiple of `align`, and
  /// so must offset and length (md reads 16-byte lines; TFTP takes any byte).
  static ChunkPlan make(uint64_t offset, uint64_t length, uint64_t chunk, uint64_t flash_size, uint64_t align = 16);
  uint64_t settled_bytes() const;  ///< verified + blank
  uint64_t blank_bytes() const;
  /// CRC32 of the whole range from the chunk CRCs (all must be settled).
  uint32_t combined_crc() const;
  /// The state file (header + one line per settled chunk); `part_size` = bytes in OUT.part.
  ResumeState state(uint64_t part_size, const std::filesystem::path& file = {}) const;
  std::string state_text(uint64_t part_size = 0) const { return state(part_size).text(); }
};

/// The plan a state file describes. Throws Error(Corrupt) naming `file` when the state is not a
/// "chunks" state or its values do not make a plan (a chunk index past the end, a bad CRC).
ChunkPlan plan_from_state(const ResumeState& st, uint64_t align = 16);
/// parse + plan_from_state of a state file's text.
ChunkPlan parse_state(std::string_view text, const std::filesystem::path& file = "OUT.part.state", uint64_t align = 16);

}  // namespace camdump::dump
