// SPDX-License-Identifier: MIT
// `restore ch341a`: write a verified image back to a SPI NOR chip through a CH341A, safely.
// Before touching the flash: the image passes inspect (or --force, problems listed), its size
// fits the detected chip, the chip ID equals the one recorded at dump time (IMAGE.chip), block
// protection is cleared only with consent; a verified backup of the flash is taken first (or an
// existing one checked against the flash). Then only the erase units that differ are erased,
// programmed (256-byte pages, all-0xFF pages skipped) and read back, the boot region last; a
// unit that does not verify is redone up to N times, then the restore stops naming it. The
// whole range is read once more at the end. An interrupted restore leaves IMAGE.restore-state
// and continues with --resume, re-planned from what the flash holds then. SPI NAND: see
// restore_ch341a_nand().
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "dump/ch341a_dump.hpp"
#include "core/report.hpp"
#include "dump/restore_plan.hpp"

namespace camdump::dump {

struct Ch341aRestoreOptions {
  std::filesystem::path image;
  uint64_t offset = 0, length = 0;  ///< --offset/--length (multiples of 4 KiB)
  bool offset_given = false;
  std::string part;    ///< --part NAME from the image's layout
  std::string chip;    ///< --chip NAME instead of the ID
  bool force = false;  ///< write an image that fails inspect / a chip ID mismatch
  bool no_backup = false;
  std::filesystem::path backup;  ///< --backup FILE: an existing dump of this flash
  bool resume = false, unprotect = false, dry_run = false;
  bool nand_oob = false;  ///< SPI NAND: IMAGE is data+spare per page; write the spare too
  unsigned tries = 3;     ///< erase+program attempts per unit
  /// Asked with the plan before anything is written; false = stop. Empty = proceed (--yes).
  std::function<bool(const std::string& plan)> confirm;
};

struct Ch341aRestoreSummary : RestoreOutcome {
  spi::ProbeResult probe;
  bool protection_cleared = false;
  uint64_t sector_erases = 0, block_erases = 0, pages = 0, bytes_programmed = 0;
  std::vector<uint32_t> bad_blocks;  ///< SPI NAND: factory-marked blocks, left alone
  spi::BusStats bus;                 ///< whole run (backup, plan read, writes, final check)
  spi::BusStats bus_backup;          ///< of which the backup
  std::string sha256;                ///< of the range as read back at the end
  double seconds = 0;
};

/// Run the restore. Throws Error: Corrupt/Usage for refusals (nothing written), Cancelled when
/// not confirmed (nothing written) or interrupted (IMAGE.restore-state kept), VerifyMismatch when
/// a unit never verifies, and the transport's errors.
Ch341aRestoreSummary restore_ch341a(ch341a::Ch341aSession& s, const Ch341aRestoreOptions& o, Reporter& rep,
                                    const CancelFlag* cancel);

/// The SPI NAND half of restore_ch341a (ch341a_restore_nand.cpp): erase unit = block, pages
/// programmed with PROGRAM LOAD + EXECUTE, factory-bad blocks skipped where the dump laid them
/// out (a dump keeps every block in place), spare bytes written only for --nand-oob images.
/// `sum` arrives with the probe filled in.
Ch341aRestoreSummary restore_ch341a_nand(ch341a::Ch341aSession& s, const Ch341aRestoreOptions& o,
                                         Ch341aRestoreSummary sum, std::vector<uint8_t> image, Reporter& rep,
                                         const CancelFlag* cancel);

/// The plan as the confirmation prompt and --dry-run show it (several lines).
std::string describe_plan(const Ch341aRestoreSummary& s, const Ch341aRestoreOptions& o);

}  // namespace camdump::dump
