// SPDX-License-Identifier: MIT
// Identify the chip on a SpiMaster: NOR first (RDID against the table, then SFDP), then SPI NAND
// (three READ ID variants), then an unknown NOR sized by its capacity byte. NOR goes first
// because a NAND-first probe misdetects NOR parts (SNANDer did). Wiring-fault warnings ride along.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "spi/chip_table.hpp"
#include "spi/sfdp.hpp"
#include "spi/spi_master.hpp"

namespace camdump::spi {

struct ProbeResult {
  ChipKind kind = ChipKind::Nor;
  const ChipInfo* chip = nullptr;  ///< null for an unknown NOR sized by SFDP / capacity byte
  std::vector<uint8_t> id;         ///< the ID bytes that identified it (3)
  std::string name, vendor;
  uint64_t size = 0;  ///< data bytes
  uint32_t page = 256, oob = 0;
  uint16_t flags = 0;
  std::optional<SfdpInfo> sfdp;
  std::vector<std::string> warnings;
};

/// Identify the chip. With `forced` (--chip), the part is taken from the table, but the ID is
/// still read and a mismatch becomes a warning. Throws Error(NotFound) with the wiring diagnosis
/// when nothing answers sensibly.
ProbeResult probe_chip(SpiMaster& m, const ChipInfo* forced = nullptr);

}  // namespace camdump::spi
