// SPDX-License-Identifier: MIT
// The commands a user pastes for a manual dump (`camdump script sd|tftp|uart`): U-Boot side
// (watchdog off, pre-fill with 0xff, sf probe/read, crc32, then mmc erase/write, tftpput or md.b)
// and the matching PC side (camdump extract / dd, camdump tftpd, camdump hexlog). Every count comes
// from one calculation (plan_script): for 16 MiB, `mmc write ${baseaddr} 0x10 0x8000` and
// `dd bs=512 skip=16 count=32768`. Facts: docs/reference/field-behaviour.md#sd, docs/reference/uboot-console.md#ram.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace camdump::uboot {

enum class ScriptRoute { Sd, Tftp, Uart };

/// Stock Ingenic T31 with 64 MiB RAM: U-Boot's malloc arena (boot log "Reserving 32784k for
/// malloc() at: 81f8c000"; docs/reference/uboot-console.md#ram). A RAM buffer must stay below it.
constexpr uint64_t kT31HeapStart = 0x81f8c000;
constexpr uint64_t kT31HeapEnd = 0x83f8c000;
constexpr uint64_t kT31SafeBase = 0x80600000;
/// ... and its stack grows down from below the heap (boot log "Stack Pointer at: 81f6bf48"): a
/// buffer must end at or below this, 1 MiB under the stack pointer (dump/reserved_ram.hpp).
constexpr uint64_t kT31StagingCeiling = 0x81e00000;

struct ScriptOptions {
  ScriptRoute route = ScriptRoute::Sd;
  uint64_t flash_size = 16u << 20;
  uint64_t baseaddr = kT31SafeBase;
  uint64_t sd_start_block = 0x10;  ///< 8 KiB in: leaves the MBR and partition table alone
  std::string server_ip = "192.168.1.254";
  std::string camera_ip = "192.168.1.10";
  std::string file = "firmware.bin";
  std::string card_device = "/dev/sdX";
  std::string log_file = "session.log";
  uint64_t md_chunk = 64u << 10;  ///< uart: bytes per `crc32` + `md.b` pair (what a repair re-reads)
};

/// The largest flash a camera carries (a 4 Gbit SPI NAND); --flash-size beyond it is refused.
constexpr uint64_t kLargestFlash = 512ull << 20;
/// uart: `crc32 A L; md.b A L` pairs per pasted line. 4 pairs stay under 256 characters, the
/// smallest console line buffer (CONFIG_SYS_CBSIZE) we expect on a camera U-Boot (advice: boards
/// set it in their config, 256 to 1024 is usual); `;` separates commands in both U-Boot parsers.
constexpr unsigned kMdPairsPerLine = 4;

/// One staging pass: read `size` bytes of flash at `flash_offset` into RAM, then move them out.
struct ScriptChunk {
  uint64_t flash_offset = 0;
  uint64_t size = 0;
  uint64_t sd_block = 0;   ///< first SD block this chunk goes to
  uint64_t sd_blocks = 0;  ///< blocks of 512 bytes
};

/// The one calculation every count in the script comes from.
struct ScriptPlan {
  uint64_t flash_size = 0;
  uint64_t block_size = 512;
  uint64_t sd_start_block = 0;
  uint64_t sd_blocks = 0;   ///< flash_size / 512, rounded up
  uint64_t chunk_size = 0;  ///< bytes staged in RAM at once (= flash_size unless split)
  std::vector<ScriptChunk> chunks;
  std::vector<std::string> warnings;
};

/// Throws Error(Usage) for a zero or odd flash size (not a multiple of 512), one larger than any
/// camera flash (kLargestFlash) or a zero base; warns (plan.warnings) for a size that is not a
/// power of two or below 1 MiB (flash chips come in powers of two).
ScriptPlan plan_script(const ScriptOptions& opt);

struct Script {
  ScriptPlan plan;
  std::vector<std::string> uboot;  ///< commands for the U-Boot prompt, one per line
  std::vector<std::string> pc;     ///< commands for the PC, one per line ("# ..." lines explain)
};

Script make_script(const ScriptOptions& opt);

}  // namespace camdump::uboot
