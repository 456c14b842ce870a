// SPDX-License-Identifier: MIT
// Flash partition layouts as Linux shows them: /proc/mtd text (drivers/mtd/mtdcore.c
// mtd_proc_show: "mtd%d: %8.8llx %8.8x \"%s\"", no offsets) and `mtdparts=` strings
// (drivers/mtd/parsers/cmdlinepart.c: size[@offset](name)[ro][lk], k/m/g suffixes, "-" = rest of
// the device, parts may overlap such as "8M@0(all)"). Used by `combine`, `inspect` and the
// Linux-shell route to order, size-check and de-duplicate partition copies.
// Facts: docs/reference/mtd-and-layouts.md, docs/reference/field-behaviour.md#shell.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace camdump {

struct MtdPart {
  unsigned index = 0;              ///< N of /dev/mtdN: position in /proc/mtd or in the mtdparts list
  std::string name;                ///< "boot", "kernel", ... (without quotes/parentheses)
  uint64_t size = 0;               ///< bytes; for an unresolved "-" part: 0 until the device size is known
  std::optional<uint64_t> offset;  ///< byte offset on the chip; nullopt when not (yet) known
  uint64_t erasesize = 0;          ///< from /proc/mtd; 0 when unknown
  bool fill = false;               ///< mtdparts "-": takes the rest of the device
  bool read_only = false;          ///< mtdparts "ro"
  uint64_t end() const { return offset.value_or(0) + size; }
};

struct MtdLayout {
  std::string mtd_id;                   ///< mtdparts device id ("jz_sfc"); empty for /proc/mtd
  std::vector<MtdPart> parts;           ///< in mtdN order
  std::optional<uint64_t> device_size;  ///< chip size when known (given, or from a whole-chip part)

  /// Index into parts of a partition at offset 0 that spans the whole device (e.g. "8M@0(all)").
  /// With unknown offsets (/proc/mtd) a part counts when it is at least as large as all the
  /// others together and equal to their sum (or named "all"/"whole"/"flash" and not smaller).
  std::optional<size_t> whole_chip() const;
  /// Indexes of the parts that tile the chip once, in offset order: every part except a
  /// whole-chip part and except parts fully contained in an earlier-listed one (e.g. "upgrade@kernel").
  std::vector<size_t> tiling() const;
  /// Largest end offset over all parts (what concatenation in order should add up to).
  uint64_t span() const;
  /// Give every part without an offset one, cumulatively in mtdN order (the only way for
  /// /proc/mtd); a whole-chip part gets offset 0 and does not advance the running offset.
  void assign_offsets();
  /// Resolve a "-" part against the chip size (sets its size and device_size).
  /// Throws Error(Corrupt) when the parts already exceed `device_size`.
  void resolve_fill(uint64_t device_size);
  /// First part with this name, or nullptr.
  const MtdPart* find(std::string_view name) const;
};

/// Parse /proc/mtd text (header line optional; CR LF tolerated; other lines such as a shell
/// prompt are ignored). Throws Error(Corrupt) when no mtd line is found or a line is damaged.
MtdLayout parse_proc_mtd(std::string_view text);

/// Parse one or more mtddefs. `text` may be "mtdparts=jz_sfc:256k(boot),...", just
/// "jz_sfc:256k(boot),...", or any text containing "mtdparts=" (a kernel cmdline, an env dump).
/// Returns one layout per mtddef (separated by ';'). Offsets are computed as the kernel does
/// (a part without @offset follows the previous one). With `device_size`, "-" parts are
/// resolved and parts past the end are refused. Throws Error(Corrupt) on bad syntax, a part
/// after a "-" part, or a zero size.
std::vector<MtdLayout> parse_mtdparts_all(std::string_view text, std::optional<uint64_t> device_size = std::nullopt);
/// The first mtddef of parse_mtdparts_all().
MtdLayout parse_mtdparts(std::string_view text, std::optional<uint64_t> device_size = std::nullopt);

/// The "mtdparts=..." value inside a longer text (kernel cmdline, `printenv`), up to the next
/// whitespace or quote; nullopt when absent.
std::optional<std::string_view> find_mtdparts(std::string_view text);

/// Kernel memparse(): decimal/0x-hex/0-octal number with optional k/m/g suffix. nullopt on garbage.
std::optional<uint64_t> parse_memsize(std::string_view text);

}  // namespace camdump
