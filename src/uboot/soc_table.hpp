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
  uint32_t clock_hz = 0;   ///< UART reference clock (16550: rate = clock / (16 * divisor)); 0 unknown
};

struct SocEntry {
  const char* name;         ///< --soc NAME ("t31", "malta", "qemu-virt")
  const char* description;  ///< "Ingenic T31 (UART1, the usual console)"
  CpuArch arch;
  UartSpec uart;                 ///< the usual console UART
  const char* source;            ///< where the numbers come from
  bool qemu_verified;            ///< proven by this project's QEMU tests (real hardware: never yet)
  unsigned uarts = 1;            ///< UARTs the SoC has (Ingenic: UART0..uarts-1 at 0x1003n000)
  bool sources_checked = false;  ///< read against the vendor's sources (docs/reference/socs.md)
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

/// The stub's rate ladder, fastest first (issue 18): 1.5 Mbaud, 750000, 500000 (exact divisors
/// 1, 2, 3 of a 24 MHz 16550 clock).
inline constexpr uint32_t kFastRates[] = {1500000, 750000, 500000};
/// The divisor word for cdstub_params::new_div when this UART makes `rate` within 1 %; nullopt
/// when it cannot (unknown clock, divisor out of range, or too far off).
std::optional<uint32_t> uart_divisor(const UartSpec& uart, uint32_t rate);
/// The rate a divisor word gives on this UART (0 for an invalid word).
double uart_rate(const UartSpec& uart, uint32_t divisor);
/// "1500000 750000 500000" or "none": the ladder rates this UART makes exactly.
std::string exact_fast_rates(const UartSpec& uart);

}  // namespace camdump::uboot
