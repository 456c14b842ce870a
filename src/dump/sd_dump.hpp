// SPDX-License-Identifier: MIT
// The U-Boot half of the SD-card route (issue 7; docs/reference/field-behaviour.md#sd): U-Boot copies the flash to
// a card (`mmc write ${baseaddr} 0x10 N`, N = size/512) and the PC reads it back with
// `camdump extract` (or `dd bs=512 skip=16 count=N`). Driven over a UbootSession: prepare the
// block device (`mmc dev N` / `virtio scan` + `virtio dev N` / `usb start` + `usb dev N`), erase
// where the device has it (`mmc erase`), then per chunk: stage it (Stager), ask the device for
// its crc32, `<dev> write`, read it back from the card into a second RAM buffer and require the
// same crc32 (bounded retries, then fail with the address). The chunk CRCs are combined into the
// whole-flash CRC32 the user passes to `extract --expect-crc32`; the device's crc32 of the whole
// range (--mapped, or a flash of at most 16 MiB staged at once) must also agree. Camera resets are survived by re-attaching and redoing the
// current chunk (RAM is lost on reset; the card keeps what was written). The staging buffer plus
// the read-back buffer (buffer + 2 chunks) stay below U-Boot's reserved area: a --chunk that
// would reach it is made smaller (Stager::fit_chunk).
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "dump/sd_survey.hpp"
#include "dump/staging.hpp"
#include "uboot/session.hpp"

namespace camdump::dump {

enum class SdDevice { Mmc, Virtio, Usb };

/// "mmc" / "virtio" / "usb": the U-Boot command name of the device.
std::string_view sd_device_name(SdDevice d);
/// Parse --device; nullopt on anything else.
std::optional<SdDevice> parse_sd_device(std::string_view text);

struct SdDumpOptions {
  std::optional<uint64_t> flash_size;  ///< nullopt = auto (sf probe)
  StagingOptions staging;
  SdDevice device = SdDevice::Mmc;
  unsigned device_number = 0;        ///< `mmc dev N` / `virtio dev N` / `usb dev N`
  uint64_t start_block = 0x10;       ///< first card block (0x10 leaves the MBR alone)
  uint64_t chunk = 1u << 20;         ///< bytes per write/verify unit (multiple of 512)
  std::optional<uint64_t> readback;  ///< RAM address the card is read back to; nullopt = auto
  bool erase = true;                 ///< `mmc erase` the range first (mmc only)
  unsigned retries = 3;              ///< re-writes of a chunk whose read-back differs
  /// Called with what is on the card before anything is written (dump/sd_survey.hpp); throw to
  /// stop (nothing has been written then). Unset: no survey, no question.
  std::function<void(const SdSurvey&)> confirm;
};

struct SdDumpResult {
  uint64_t flash_size = 0, start_block = 0, block_count = 0;
  uint32_t crc32 = 0;                  ///< of the whole flash (device chunk CRCs combined)
  bool whole_crc_from_device = false;  ///< one device crc32 of the whole range agreed (--mapped or ≤ 16 MiB)
  uint64_t chunk_retries = 0, resets = 0;
  uint64_t readback = 0;  ///< RAM address used for read-backs
  uint64_t chunk = 0;     ///< bytes per write/verify unit (--chunk, or less to stay below U-Boot)
  double seconds = 0;
  std::string device_name;  ///< "mmc", "virtio", "usb"
  uboot::DeviceInfo device;
  std::string flash_name;
};

/// Attach, prepare the card, write and verify the whole flash onto it. Throws Error on failure
/// (Usage for bad ranges, Io/Protocol for device errors, VerifyMismatch when a chunk never reads
/// back right, Cancelled on Ctrl-C).
SdDumpResult dump_sd(uboot::UbootSession& s, const SdDumpOptions& opt);

/// The PC-side commands for a result: `camdump extract SOURCE -o OUT --size .. --offset-blocks ..
/// --expect-crc32 ..` and the equivalent `dd` line.
std::string extract_command(const SdDumpResult& r, std::string_view source, std::string_view out);
std::string dd_command(const SdDumpResult& r, std::string_view source, std::string_view out);

}  // namespace camdump::dump
