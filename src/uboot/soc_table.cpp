// SPDX-License-Identifier: MIT
// The SoC table of the binary fast path (see soc_table.hpp) and SoC detection.
#include "uboot/soc_table.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "uboot/session.hpp"

namespace camdump::uboot {
namespace {

// Ingenic T-series UARTs: 16550-compatible registers at a 4-byte stride (jz_serial.c: URBR/UTHR
// at 0x00, ULSR at 0x14, LSR.TDRQ bit 5, LSR.DRY bit 0), UART0/1/2 at physical 0x10030000 /
// 0x10031000 / 0x10032000, used through KSEG1 (0xb0030000 + n*0x1000). Thingino and stock
// firmware print their console on UART1 (ttyS1) on the common T31/T20/T10 boards. These
// addresses are from the Ingenic programming manuals and U-Boot/Linux device trees as I know
// them, NOT verified by this project on hardware or in QEMU (QEMU has no Ingenic machine).
constexpr const char* kIngenicSource =
    "Ingenic T-series PM / uboot-ingenic jz_serial.c: UART0-2 at phys 0x10030000+n*0x1000, stride 4; "
    "unverified (no Ingenic hardware or QEMU model here)";

constexpr std::array kTable = {
    SocEntry{"malta", "QEMU MIPS Malta (NS16550 at ISA 0x3f8)", CpuArch::Mips32el,
             {UartKind::Ns16550, 0xb80003f8, 1, 1},
             "qemu-uboot.md §8: LSR at +5, THRE bit 5, polled by a stub on stock maltael", true},
    SocEntry{"qemu-virt", "QEMU ARM virt (PL011 at 0x09000000)", CpuArch::Armv7,
             {UartKind::Pl011, 0x09000000, 4, 4},
             "qemu-uboot.md §8: DR +0x00, FR +0x18, TXFF bit 5; In: pl011@9000000", true},
    SocEntry{"t10", "Ingenic T10 (UART1)", CpuArch::Mips32el, {UartKind::Ns16550, 0xb0031000, 4, 4}, kIngenicSource, false},
    SocEntry{"t20", "Ingenic T20 (UART1)", CpuArch::Mips32el, {UartKind::Ns16550, 0xb0031000, 4, 4}, kIngenicSource, false},
    SocEntry{"t21", "Ingenic T21 (UART1)", CpuArch::Mips32el, {UartKind::Ns16550, 0xb0031000, 4, 4}, kIngenicSource, false},
    SocEntry{"t23", "Ingenic T23 (UART1)", CpuArch::Mips32el, {UartKind::Ns16550, 0xb0031000, 4, 4}, kIngenicSource, false},
    SocEntry{"t30", "Ingenic T30 (UART1)", CpuArch::Mips32el, {UartKind::Ns16550, 0xb0031000, 4, 4}, kIngenicSource, false},
    SocEntry{"t31", "Ingenic T31 (UART1)", CpuArch::Mips32el, {UartKind::Ns16550, 0xb0031000, 4, 4}, kIngenicSource, false},
    SocEntry{"t40", "Ingenic T40 (UART1)", CpuArch::Mips32el, {UartKind::Ns16550, 0xb0031000, 4, 4}, kIngenicSource, false},
    SocEntry{"t41", "Ingenic T41 (UART1)", CpuArch::Mips32el, {UartKind::Ns16550, 0xb0031000, 4, 4}, kIngenicSource, false},
};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool contains(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }

}  // namespace

std::span<const SocEntry> soc_table() { return kTable; }

std::optional<SocEntry> find_soc(std::string_view name) {
  std::string n = lower(name);
  std::optional<unsigned> uart;
  if (auto colon = n.find(":uart"); colon != std::string::npos) {
    std::string idx = n.substr(colon + 5);
    n.resize(colon);
    if (idx.size() != 1 || idx[0] < '0' || idx[0] > '2') return std::nullopt;
    uart = static_cast<unsigned>(idx[0] - '0');
  }
  if (n.rfind("ingenic-", 0) == 0) n = n.substr(8);
  if (n == "virt" || n == "qemu_arm") n = "qemu-virt";
  if (n == "maltael") n = "malta";
  for (const SocEntry& e : kTable) {
    if (n != e.name) continue;
    SocEntry out = e;
    if (uart) {
      if (out.uart.base >> 16 != 0xb003) return std::nullopt;  // only Ingenic has UART numbers
      out.uart.base = 0xb0030000u + *uart * 0x1000u;
    }
    return out;
  }
  return std::nullopt;
}

SocGuess detect_soc(const DeviceInfo& info) {
  const std::string uart = lower(info.console_uart), prompt = lower(info.prompt), version = lower(info.version);
  if (contains(uart, "pl011@9000000") || (info.console_uart_base == 0x9000000u && contains(uart, "pl011")))
    return {find_soc("qemu-virt"), "console " + info.console_uart};
  if (contains(prompt, "maltael") || contains(version, "malta") || contains(lower(info.banner), "mips malta"))
    return {find_soc("malta"), contains(prompt, "maltael") ? "prompt '" + info.prompt + "'" : "banner names Malta"};
  if (!info.soc.empty()) {
    std::string soc = lower(info.soc);
    // "T31X", "T31N", "T31ZL" ... share the T31's UART map.
    for (const SocEntry& e : kTable) {
      std::string n = e.name;
      if (soc.rfind(n, 0) == 0 && n[0] == 't') {
        std::string why = !prompt.empty() && contains(prompt, "isvp_") ? "prompt '" + info.prompt + "'"
                                                                         : "banner names Ingenic " + info.soc;
        SocGuess g{e, why};
        // A console UART named by the boot log overrides the usual UART1.
        if (info.console_uart_base && (*info.console_uart_base & 0xfffff000u) >= 0x10030000u &&
            (*info.console_uart_base & 0xfffff000u) <= 0x10032000u) {
          g.soc->uart.base = 0xa0000000u | static_cast<uint32_t>(*info.console_uart_base & 0xfffff000u);
          g.reason += ", console " + info.console_uart;
        }
        return g;
      }
    }
    return {std::nullopt, "SoC " + info.soc + " is not in the stub table (try --soc)"};
  }
  if (!info.console_uart.empty())
    return {std::nullopt, "console UART " + info.console_uart + " is not in the stub table (try --soc)"};
  return {std::nullopt, "U-Boot did not name its SoC or console UART (try --soc)"};
}

void fill_uart_params(const UartSpec& uart, cdstub_params& p) {
  p.uart_base = uart.base;
  p.reg_width = uart.reg_width;
  p.data_off = 0;
  if (uart.kind == UartKind::Ns16550) {
    p.status_off = 5 * uart.stride;  // LSR
    p.tx_mask = 1u << 5;             // THRE: holding register / FIFO empty
    p.tx_ready_set = 1;
    p.rx_mask = 1u << 0;             // DR: data ready
    p.rx_ready_set = 1;
  } else {
    p.status_off = 0x18;  // FR
    p.tx_mask = 1u << 5;  // TXFF: transmit FIFO full -> wait while set
    p.tx_ready_set = 0;
    p.rx_mask = 1u << 4;  // RXFE: receive FIFO empty -> a byte waits while clear
    p.rx_ready_set = 0;
  }
}

}  // namespace camdump::uboot
