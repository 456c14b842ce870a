// SPDX-License-Identifier: MIT
// Per-SoC facts the binary fast path (issue 8) needs: which CPU family runs the stub, where the
// console UART's registers are and what kind they are, and where each fact comes from. Also the
// detection of the SoC from what U-Boot printed (prompt, banner, coninfo, bdinfo) and --soc NAME.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "stub/stub_abi.h"

namespace camdump::uboot {

struct DeviceInfo;

enum class UartKind { Ns16550, Pl011 };
enum class CpuArch { Mips32el, Armv7 };

struct UartSpec {
  UartKind kind = UartKind::Ns16550;
  uint32_t base = 0;       ///< CPU address (MIPS: the uncached KSEG1 alias)
  uint32_t stride = 1;     ///< bytes between registers (16550 family: 1 or 4)
  uint32_t reg_width = 1;  ///< access size in bytes (1 or 4)
};

struct SocEntry {
  const char* name;         ///< --soc NAME ("t31", "malta", "qemu-virt")
  const char* description;  ///< "Ingenic T31 (UART1, the usual console)"
  CpuArch arch;
  UartSpec uart;
  const char* source;       ///< where the numbers come from
  bool qemu_verified;       ///< proven by this project's QEMU tests (real hardware: never yet)
};

/// The whole table.
std::span<const SocEntry> soc_table();

/// A table entry by name ("t31", "T31", "ingenic-t31"); "t31:uart0" picks another Ingenic UART.
/// nullopt for unknown names.
std::optional<SocEntry> find_soc(std::string_view name);

/// What the device said about itself, mapped to a table entry, with the reason ("prompt
/// isvp_t31# ", "console pl011@9000000"). nullopt + reason when nothing matched.
struct SocGuess {
  std::optional<SocEntry> soc;
  std::string reason;
};
SocGuess detect_soc(const DeviceInfo& info);

/// The UART part of the stub's parameter block for this UART.
void fill_uart_params(const UartSpec& uart, cdstub_params& p);

}  // namespace camdump::uboot
