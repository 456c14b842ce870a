// SPDX-License-Identifier: MIT
// What `dump sd` is about to overwrite (issue 15): before the first `mmc erase`/`mmc write`, the
// card's first sector (the MBR: signature 55 AA at 0x1fe, four partition entries at 0x1be) and
// the first sector of the target range are read into RAM with `<dev> read` and shown with md.b,
// so the user sees whether a partition table, a partition or an earlier dump lies in the blocks
// that will be written. MBR layout: the "Master Boot Record" partition table as U-Boot's
// disk/part_dos.c reads it (entry: boot flag, CHS, type at +4, LBA start at +8, count at +12,
// little-endian).
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "uboot/session.hpp"

namespace camdump::dump {

struct SdPartition {
  unsigned index = 0;             ///< 1..4
  uint8_t type = 0;               ///< MBR type byte (0x0c FAT32 LBA, 0x83 Linux, 0xee GPT protective)
  uint64_t start = 0, count = 0;  ///< in 512-byte blocks
};

struct SdSurvey {
  std::string device;                         ///< "mmc 0"
  uint64_t first_block = 0, block_count = 0;  ///< the range that will be written
  bool read_ok = false;                       ///< the sectors could be read (else: unknown)
  bool mbr = false;                           ///< block 0 ends in 55 AA
  std::vector<SdPartition> parts;             ///< non-empty MBR entries
  std::string target_kind;                    ///< what the range's first block holds (see classify_sector)
};

/// Reads block 0 and the first block of the range to `ram` (512 bytes each, one after the other)
/// and classifies them. Never throws for a card it cannot read (read_ok stays false); throws
/// ConsoleLost like any command.
SdSurvey survey_sd(uboot::UbootSession& s, const std::string& dev, unsigned number, uint64_t first_block,
                   uint64_t block_count, uint64_t ram);

/// Partition entries of a 512-byte MBR sector (empty entries skipped); empty without 55 AA.
std::vector<SdPartition> parse_mbr(std::span<const uint8_t> sector);
/// "all zero", "all 0xff (erased)", "an earlier flash dump (Ingenic SPL header)", "a boot sector
/// (55 AA)", "data".
std::string classify_sector(std::span<const uint8_t> sector);
/// Human lines: range, partition table, partitions the range overlaps, what the range holds.
std::vector<std::string> describe(const SdSurvey& s);

}  // namespace camdump::dump
