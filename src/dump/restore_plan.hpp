// SPDX-License-Identifier: MIT
// Route-independent restore planning: which erase units of a flash range differ from the image
// (the route decides "differs": programmer read-back bytes, or U-Boot crc32 per sector), which
// of them become 64 KiB block erases (a whole aligned block differing) or 4 KiB sector erases,
// and their order: everything else first, the boot region (SPL + U-Boot) last, so that the
// window in which a power loss leaves an unbootable camera is as short as it can be. Also the
// restore state file (IMAGE.restore-state) an interrupted restore leaves for --resume.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "image/inspect.hpp"

namespace camdump::dump {

struct RestoreUnit {
  uint64_t offset = 0;  ///< flash address, aligned to `size`
  uint32_t size = 0;    ///< 4 KiB sector or 64 KiB block
  bool boot = false;    ///< overlaps the boot region
};

struct RestorePlanInput {
  uint64_t begin = 0, end = 0;            ///< flash range, multiples of `sector`
  uint32_t sector = 4096, block = 65536;  ///< block = 0: sectors only
  uint64_t boot_begin = 0, boot_end = 0;  ///< boot region (empty when begin == end)
  std::vector<bool> differs;              ///< one flag per sector of [begin, end)
};

struct RestorePlan {
  std::vector<RestoreUnit> units;  ///< in the order to write them: boot units last
  uint64_t bytes = 0;              ///< erased and rewritten
  uint64_t differing_sectors = 0;
  size_t boot_units = 0;
  bool empty() const { return units.empty(); }
};

/// What every restore (CH341A and U-Boot routes) ends with; the route's summary adds its own
/// counters. One struct, so the CLI prints one shape from it (cli/json.hpp restore_json).
struct RestoreOutcome {
  uint64_t begin = 0, end = 0;               ///< the range written
  std::pair<uint64_t, uint64_t> boot{0, 0};  ///< boot region [offset, end), written last
  RestorePlan plan;
  std::vector<std::string> problems;  ///< inspect problems written anyway (--force)
  std::vector<std::string> notes;     ///< ID record missing, forced mismatches ...
  std::filesystem::path backup;       ///< the backup made or checked ("" with --no-backup)
  bool dry_run = false, resumed = false;
  uint64_t units_written = 0, unit_retries = 0, final_rewrites = 0;
};

/// Build the plan. Throws Error(Usage) when the range is not sector-aligned or `differs` has
/// the wrong length.
RestorePlan plan_restore(const RestorePlanInput& in);

/// The boot region of an image (SPL + U-Boot): the partition named or inspected as "boot"
/// ("boot", "uboot", "u-boot"); else, when the image starts with an SPL/U-Boot, everything
/// before the first partition at a non-zero offset (or the first 256 KiB). Never empty: with
/// nothing known, the first 64 KiB, where every SoC boot ROM reads.
std::pair<uint64_t, uint64_t> boot_region(const image::InspectReport& r);

/// The warning every route logs just before it writes the first unit of the boot region.
std::string boot_region_warning(std::pair<uint64_t, uint64_t> boot);

/// "0x50000-0x50fff (4 KiB), 0x60000-0x6ffff (64 KiB)" of the first `max` units.
std::string format_units(const std::vector<RestoreUnit>& units, size_t max = 8);

/// IMAGE.restore-state: what an interrupted restore was doing, so that --resume continues it
/// (re-planned from the flash) instead of taking a fresh "backup" of a half-written flash. A
/// dump/resume_state.hpp file of kind "restore".
struct RestoreState {
  std::string image_sha256;  ///< of the whole IMAGE file
  std::string chip_id;       ///< "EF 40 18"
  uint64_t begin = 0, end = 0;
  std::string backup;  ///< the backup file of the flash before the first run ("" = none)
  int saved_sr1 = -1;  ///< status register 1 before protection was cleared (-1 = untouched)
  uint64_t units_written = 0;

  std::string text() const;
  /// Throws Error(Corrupt) naming `file` when the text is not a restore state.
  static RestoreState parse(std::string_view text, const std::filesystem::path& file = "IMAGE.restore-state");
  /// Written with write_file_atomic.
  void save(const std::filesystem::path& p) const;
  /// nullopt when there is no file at `p`; a file that is not a whole restore state (garbage,
  /// truncated, another format) is Error(Corrupt) naming it, never taken as "no state".
  static std::optional<RestoreState> load(const std::filesystem::path& p);
};

/// IMAGE.restore-state
std::filesystem::path restore_state_path(const std::filesystem::path& image);

}  // namespace camdump::dump
