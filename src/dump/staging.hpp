// SPDX-License-Identifier: MIT
// How flash bytes reach RAM where U-Boot's `md`/`crc32`/`tftpput`/`mmc write` can see them, shared
// by every U-Boot route: a `--load` template run per chunk (default `sf probe 0` once, then
// `sf read {addr} {offset} {len}`), or `--mapped ADDR` (memory-mapped NOR: no load step). Also the
// flash-size detection (`sf probe` or --flash-size) and the safe default RAM buffer per SoC
// (docs/reference/uboot-console.md#ram: 0x80600000 on a 64 MiB T31, below U-Boot's 32 MiB malloc arena at
// 0x81f8c000; qemu_arm virt RAM starts at 0x40000000, U-Boot relocates to its top). Every staging
// area is kept below U-Boot's reserved area (dump/reserved_ram.hpp): stage() refuses a range that
// would reach it, and the routes pick chunks that fit (fit_chunk).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dump/reserved_ram.hpp"
#include "uboot/session.hpp"

namespace camdump::dump {

struct StagingOptions {
  std::optional<uint64_t> mapped;   ///< --mapped ADDR: flash offset 0 is at this address
  std::optional<std::string> load;  ///< --load TEMPLATE; nullopt = the sf default
  std::optional<uint64_t> buffer;   ///< --buffer ADDR; nullopt = default for the SoC
};

/// The default `--load` template.
inline constexpr std::string_view kDefaultLoad = "sf read {addr} {offset} {len}";

/// Expand {addr} {offset} {len} (and {name+HEX}, e.g. `cp.b {offset+42000000} {addr} {len}`) as
/// plain lowercase hex, the way U-Boot takes numbers. Throws Error(Usage) on an unknown name.
std::string expand_template(std::string_view tmpl, uint64_t addr, uint64_t offset, uint64_t len);

/// Default staging address for this device (see file comment); logs the choice.
uint64_t default_buffer(const uboot::DeviceInfo& info);

class Stager {
 public:
  Stager(uboot::UbootSession& s, StagingOptions opt);
  /// After every (re)attach: `sf probe` once when the template uses `sf`; picks the buffer and
  /// learns U-Boot's reserved area once (boot log, `bdinfo`, SoC). Throws Error(Usage) when the
  /// buffer itself lies in the reserved area.
  void prepare();
  /// Make flash [offset, offset+len) readable in RAM; returns its address. Throws
  /// Error(Usage) when [buffer, buffer+len) would reach U-Boot's reserved area (nothing is sent),
  /// Error(Protocol) when the load command reports an error; ConsoleLost passes through.
  uint64_t stage(uint64_t offset, uint64_t len);
  bool mapped() const { return opt_.mapped.has_value(); }
  uint64_t buffer() const { return buffer_; }
  /// The last `sf probe` result (when one ran).
  const std::optional<uboot::SfProbe>& probe() const { return probe_; }

  /// U-Boot's reserved area as learned by prepare() (nullopt: unknown, nothing is bounded).
  const std::optional<RamCeiling>& ceiling() const { return ceiling_; }
  /// Whether RAM [addr, addr+len) stays below the reserved area (true when it is unknown).
  bool fits(uint64_t addr, uint64_t len) const;
  /// Whether `len` bytes can be staged at once (always with --mapped).
  bool fits(uint64_t len) const { return mapped() || fits(buffer_, len); }
  /// Throws Error(Usage) naming `what` and the reserved area when [addr, addr+len) reaches it.
  void check_area(uint64_t addr, uint64_t len, std::string_view what) const;
  /// The largest chunk <= `want` (a multiple of `align`) such that `areas(chunk)` bytes from
  /// `from` fit below the reserved area; logs a warning naming `option` when it had to shrink.
  /// Throws Error(Usage) when not even `align` bytes fit.
  uint64_t fit_chunk(uint64_t want, uint64_t align, uint64_t from, uint64_t (*areas)(uint64_t),
                     std::string_view option) const;

 private:
  uboot::UbootSession& s_;
  StagingOptions opt_;
  uint64_t buffer_ = 0;
  std::optional<uboot::SfProbe> probe_;
  bool ceiling_known_ = false;
  std::optional<RamCeiling> ceiling_;
};

/// Flash size: `given` when set; else from `sf probe` (through the stager). Throws Error(Usage)
/// with a hint to pass --flash-size when it cannot be found (e.g. --mapped on a board without sf).
uint64_t detect_flash_size(Stager& stager, uboot::UbootSession& s, std::optional<uint64_t> given);

}  // namespace camdump::dump
