// SPDX-License-Identifier: MIT
// Pure readers for `sf probe` and `sf read` output in every dialect of docs/reference/uboot-console.md#sf-probe:
// upstream 2013.07 ("SF: Detected <name> with page size 256 Bytes, total 16 MiB"), the Ingenic
// T31 vendor build (name only: "SF: Detected XM25QH128C"), the Thingino 2013 fork
// ("JZSFC: Flash chip ID: c22017", "SF:    Detected <name> (c2 20 17 c2 00)") and modern U-Boot
// ("..., erase size 4 KiB, total 16 MiB").
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace camdump::uboot {

struct SfProbe {
  bool detected = false;         ///< a "Detected" line was found
  std::string name;              ///< chip name as printed
  std::optional<uint64_t> size;  ///< flash size in bytes, from "total", the JEDEC ID or the name
  std::optional<uint64_t> page_size, erase_size;
  std::optional<uint32_t> jedec;  ///< 3-byte JEDEC ID when printed
  std::string size_source;        ///< "total", "jedec" or "name" (how size was found)
  std::string error;              ///< the failure line when the probe failed
  /// The probe found a chip: a "Detected" line, or a JEDEC ID with no failure line.
  bool ok() const { return detected || (jedec && error.empty()); }
};

/// Read the lines `sf probe` printed.
SfProbe parse_sf_probe(std::span<const std::string> lines);
/// U-Boot print_size(): "16 MiB", "4 KiB", "256 Bytes", "1.5 MiB" -> bytes.
std::optional<uint64_t> parse_print_size(std::string_view text);
/// Flash size from a chip name with the usual Mbit number ("XM25QH128C" -> 16 MiB,
/// "MX25L64**E 8MB" -> 8 MiB, "W25Q256" -> 32 MiB); nullopt when the name says nothing.
std::optional<uint64_t> size_from_chip_name(std::string_view name);

/// `sf read` result: true for "Read: OK", false for "ERROR"/"No SPI flash selected"/past-size
/// errors, nullopt when no result line was seen.
std::optional<bool> parse_sf_read(std::span<const std::string> lines);

}  // namespace camdump::uboot
