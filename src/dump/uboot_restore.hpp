// SPDX-License-Identifier: MIT
// `restore tftp|uart|sd`: write a verified image back to the SPI flash through U-Boot, safely
// (issue 14). Before touching the flash: the image passes inspect (or --force, problems listed),
// its size equals the flash size `sf probe` found (or the range fits), the chip ID recorded at
// dump time (IMAGE.chip) matches where both are known. A way back: a verified dump of the flash by
// the same route (IMAGE.before-restore.bin), or --backup FILE checked per 64 KiB chunk against the
// flash's device CRC. The plan comes from device CRCs (`sf read` into safe RAM + `crc32`) per
// 64 KiB and then per erase unit: only the units that differ are loaded into RAM (a Loader:
// tftpboot, loady, mmc read), checked there by `crc32`, erased (`sf erase`) and written (`sf
// write`), then read back and checked by `crc32`; the boot region goes last, announced before.
// A unit that does not verify is redone up to `tries` times, then named. At the end every chunk
// of the range is checked once more. A camera reboot mid-restore is recovered (re-attach, probe,
// redo the unit); an interruption leaves IMAGE.restore-state and --resume re-plans from the flash.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/report.hpp"
#include "dump/restore_plan.hpp"
#include "dump/staging.hpp"
#include "uboot/session.hpp"

namespace camdump::dump {

/// How the bytes of a unit reach the camera's RAM (restore_loader.hpp has the three routes).
class RestoreLoader {
 public:
  virtual ~RestoreLoader() = default;
  /// "tftpboot", "loady", "mmc read", "stub"
  virtual std::string name() const = 0;
  /// After every (re)attach: environment, devices (may run commands).
  virtual void prepare(uboot::UbootSession& s) = 0;
  /// Put `data` (the image's bytes for flash offset `flash_off`) at RAM `ram`. The engine checks
  /// the RAM's crc32 afterwards; throw Error when the transfer visibly failed, ConsoleLost passes.
  virtual void load(uboot::UbootSession& s, uint64_t ram, uint64_t flash_off, std::span<const uint8_t> data) = 0;
  /// Console characters (both ways) spent moving data, and payload bytes moved.
  uint64_t wire_chars = 0, payload = 0;
};

struct UbootRestoreOptions {
  std::filesystem::path image;
  uint64_t offset = 0, length = 0;  ///< --offset/--length (multiples of the erase unit)
  bool offset_given = false;
  std::string part;                    ///< --part NAME from the image's layout
  StagingOptions staging;              ///< --buffer (safe RAM), --mapped
  std::optional<uint64_t> flash_size;  ///< --flash-size when sf probe cannot tell
  bool force = false, no_backup = false, resume = false, dry_run = false;
  std::filesystem::path backup;  ///< --backup FILE: an existing verified dump of this flash
  unsigned tries = 3;            ///< erase+write attempts per unit
  bool erase = true;             ///< false only in tests: shows that verification catches a missing erase
  std::function<bool(const std::string& plan)> confirm;  ///< empty = --yes
  /// Dump the whole flash to this file by the route's own reader, verified (unless --no-backup).
  std::function<void(uboot::UbootSession& s, const std::filesystem::path& out)> make_backup;
};

struct UbootRestoreSummary : RestoreOutcome {
  uint64_t flash_size = 0, erase_unit = 0;
  std::string chip;     ///< as sf probe printed it
  std::string chip_id;  ///< "EF 40 18" when sf probe printed the JEDEC ID
  uint64_t load_retries = 0, resets = 0;
  uint64_t erases = 0, bytes_written = 0;          ///< sf erase commands, bytes given to sf write
  uint64_t loaded_bytes = 0, load_wire_chars = 0;  ///< payload moved by the loader, console chars it cost
  uint64_t wire_chars = 0;                         ///< all console characters of the run (both ways)
  uint32_t crc32 = 0;                              ///< of the range, equal to the device's (chunk by chunk)
  double seconds = 0;
  std::string loader;
};

/// Run it. Throws Error: Corrupt/Usage for refusals (nothing written), Cancelled when not
/// confirmed (nothing written) or interrupted (IMAGE.restore-state kept), VerifyMismatch when a
/// unit never verifies, ConsoleLost-derived Io when the camera keeps resetting.
UbootRestoreSummary restore_uboot(uboot::UbootSession& s, RestoreLoader& loader, const UbootRestoreOptions& o,
                                  Reporter& rep, const CancelFlag* cancel);

/// The plan as the confirmation prompt and --dry-run show it (several lines).
std::string describe_plan(const UbootRestoreSummary& s, const UbootRestoreOptions& o);

}  // namespace camdump::dump
