// SPDX-License-Identifier: MIT
// Where U-Boot's reserved area starts in RAM, so that no staging area (the `sf read` buffer, the
// SD route's read-back buffer, a whole-flash staging for one crc32) ever reaches it. U-Boot
// relocates itself to the top of RAM and reserves, going down: its code, the malloc arena, board
// info, global data (and the device tree copy / boot params), then the stack grows down from
// there (common/board_f.c reserve_* in 2023.01; arch/mips/lib/board.c in the 2013.07 Ingenic
// fork). A write into any of it corrupts the running U-Boot and the console stops answering.
//
// Learned, best first, from:
//   1. the boot log: `Stack Pointer at: 81f6bf48`, `Reserving 32784k for malloc() at: 81f8c000`,
//      `Top of RAM usable for U-Boot at: 84000000` (stock T31, docs/reference/uboot-console.md#ram);
//   2. `bdinfo`: `sp start` (2023.01 arch/arm/lib/bdinfo.c), `bd address` (DEBUG builds of
//      cmd/bdinfo.c; gd, fdt and the stack lie just below it), `boot_params` on the 2013-era MIPS
//      builds (the stack starts just below it), `relocaddr`, or the RAM size (`memstart/memsize`,
//      `-> start/-> size`) with an assumed 32 MiB malloc; then never above the lowest LMB region
//      (`lmb_dump_all:` `reserved[N]`) that runs to the top of RAM;
//   3. a per-SoC safe ceiling: Ingenic T-series/A1 0x81e00000 (U-Boot stops at SDRAM_MAX_TOP
//      0x84000000 with 32 MiB malloc on every board with at least 64 MiB).
// The ceiling keeps 1 MiB below the stack top for the stack itself and is rounded down to 1 MiB.
// Details and sources: docs/reference/qemu-boards.md ("U-Boot's reserved area").
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "uboot/session.hpp"

namespace camdump::dump {

struct RamCeiling {
  uint64_t ceiling = 0;  ///< no staging area may reach this CPU address (nor anything above it)
  std::string why;       ///< where it was learned, for messages ("boot log 'Stack Pointer at: 81f6bf48'")
};

/// The ceiling from the boot log (`info.banner`), `bdinfo` output (may be empty) and the SoC.
/// nullopt when nothing is known (a board without boot log, bdinfo or a known SoC).
std::optional<RamCeiling> staging_ceiling(const uboot::DeviceInfo& info, std::string_view bdinfo);

/// Addresses compared as RAM offsets: on MIPS the kseg0 (0x8...) and kseg1 (0xa...) views of the
/// same RAM must compare equal.
uint64_t ram_view(const uboot::DeviceInfo& info, uint64_t addr);

}  // namespace camdump::dump
