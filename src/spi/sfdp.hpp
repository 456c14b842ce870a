// SPDX-License-Identifier: MIT
// SFDP (JESD216, opcode 0x5A) parsing: the header at SFDP address 0, the parameter headers, and
// the Basic Flash Parameter Table (density in DWORD 2 in both encodings; address bytes in DWORD 1).
// Facts: docs/reference/spi-flash.md#sfdp (U-Boot spi-nor-core.c, flashrom sfdp.c).
// Pure functions of bytes: fuzzed by fuzz/sfdp.cpp.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace camdump::spi {

struct SfdpHeader {
  uint8_t major = 0, minor = 0;
  unsigned nph = 0;          ///< number of parameter headers (1-based here)
  uint32_t bfpt_ptr = 0;     ///< SFDP byte address of the BFPT
  unsigned bfpt_dwords = 0;  ///< its length in DWORDs
};

struct SfdpInfo {
  SfdpHeader header;
  uint64_t size = 0;           ///< density in bytes (0 when the table gives none)
  unsigned address_bytes = 3;  ///< 3, 3-or-4 (reported as 34), or 4
  std::optional<uint8_t> erase_4k_opcode;
  std::string summary() const;  ///< "SFDP 1.6, 16 MiB, 3-byte addressing, 4K erase 0x20"
};

/// Bytes of the SFDP area needed to parse the header and all parameter headers.
constexpr size_t kSfdpHeaderRead = 8 + 8 * 4;

/// Parse the header + parameter headers (at least 16 bytes). nullopt: no "SFDP" signature,
/// major revision != 1, or the first parameter header is not the BFPT (ID 0xFF00).
std::optional<SfdpHeader> parse_sfdp_header(std::span<const uint8_t> bytes);
/// Parse the BFPT DWORDs (at least 2). Density: bit31=0 -> bits = v+1; bit31=1 -> bits = 2^(v&0x7fffffff),
/// exponents > 63 invalid (size 0 then). nullopt when shorter than 2 DWORDs.
std::optional<SfdpInfo> parse_bfpt(const SfdpHeader& h, std::span<const uint8_t> bfpt);

}  // namespace camdump::spi
