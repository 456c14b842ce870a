// SPDX-License-Identifier: MIT
// Fixed texts of the virtual camera: boot logs, `version`, `coninfo` and the SPI NOR chip the sim
// reports for a flash size (the command table with `help`'s texts: sim_command_table.hpp).
// Formats: docs/reference/uboot-console.md, docs/reference/uboot-console.md#ram,
// docs/reference/qemu-test-cameras.md#boot.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "sim/sim_camera.hpp"

namespace camdump::sim {

struct ChipInfo {
  std::string name;         ///< as the 2013 Ingenic tables print it (upper case)
  std::string modern_name;  ///< as spi-nor-ids names it (lower case)
  uint8_t id[3];
};
ChipInfo chip_for(uint64_t flash_size);

std::string boot_log(const SimOptions& opt, uint64_t flash_size, uint32_t baud);
std::string autoboot_linux_log(const SimOptions& opt);
std::string version_text(const SimOptions& opt);
std::string coninfo_text(const SimOptions& opt);

/// U-Boot print_size(): "16 MiB", "64 KiB", "1.5 MiB", "256 Bytes".
std::string print_size(uint64_t size);

}  // namespace camdump::sim
