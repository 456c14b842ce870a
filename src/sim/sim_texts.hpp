// SPDX-License-Identifier: MIT
// Fixed texts of the virtual camera: boot logs, `help`, `version`, `bdinfo`, `coninfo`, the
// command table (names, usage lines, repeatability) and the SPI NOR chip the sim reports for a
// flash size. Formats: docs/reference/uboot-console.md, docs/reference/uboot-console.md#ram, docs/reference/qemu-test-cameras.md#boot.
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

struct CmdInfo {
  const char* name;
  const char* usage;  ///< one-line summary (help list)
  const char* help;   ///< "Usage:" text after the name
  bool repeatable;
};
/// The commands this camera has, sorted as `help` lists them.
std::vector<CmdInfo> command_table(const SimOptions& opt);

std::string boot_log(const SimOptions& opt, uint64_t flash_size, uint32_t baud);
std::string autoboot_linux_log(const SimOptions& opt);
std::string version_text(const SimOptions& opt);
std::string coninfo_text(const SimOptions& opt);
std::string help_list(const SimOptions& opt);

/// U-Boot print_size(): "16 MiB", "64 KiB", "1.5 MiB", "256 Bytes".
std::string print_size(uint64_t size);

}  // namespace camdump::sim
