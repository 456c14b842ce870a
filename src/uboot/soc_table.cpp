// SPDX-License-Identifier: MIT
// The SoC table of the binary fast path (see soc_table.hpp) and SoC detection.
#include "uboot/soc_table.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>

#include "uboot/session.hpp"

namespace camdump::uboot {
namespace {

// Ingenic T-series and A1 UARTs (docs/reference/socs.md): 16550-compatible 8-bit registers at a
// 4-byte stride (RBR/THR/DLL 0x00, DLM 0x04, LCR 0x0c, LSR 0x14: DR bit 0, TDRQ/THRE bit 5, TEMT
// bit 6), UARTn at physical 0x10030000 + n * 0x1000, used through KSEG1 (0xb003n000). The count
// per SoC and the addresses were read against Ingenic's arch-t*/base.h (UART0_BASE..) in
// gtxaspec/u-boot-ingenic and the thingino-linux device trees (arch/mips/boot/dts/ingenic/
// t31.dtsi, t40.dtsi, t41.dtsi); the reference boards print their console on UART1. The clock is
// the 24 MHz crystal (CONFIG_SYS_EXTAL in the isvp configs; 115200 = divisor 13, 0.16 % off).
// Checked against sources only: no Ingenic hardware or QEMU model here.
constexpr const char* kIngenicSource =
    "Ingenic arch-t*/base.h (gtxaspec/u-boot-ingenic) and thingino-linux t31/t40/t41.dtsi: "
    "UARTn at phys 0x1003n000, 8-bit registers at stride 4, LSR 0x14, 24 MHz; see docs/reference/socs.md";
constexpr UartSpec kIngenicUart1{
    .kind = UartKind::Ns16550, .base = 0xb0031000, .stride = 4, .reg_width = 1, .clock_hz = 24000000};

constexpr SocEntry ingenic(const char* name, const char* desc, unsigned uarts) {
  return SocEntry{.name = name,
                  .description = desc,
                  .arch = CpuArch::Mips32el,
                  .uart = kIngenicUart1,
                  .source = kIngenicSource,
                  .qemu_verified = false,
                  .uarts = uarts,
                  .sources_checked = true};
}

constexpr std::array kTable = {
    SocEntry{.name = "malta",
             .description = "QEMU MIPS Malta (NS16550 at ISA 0x3f8)",
             .arch = CpuArch::Mips32el,
             .uart = {.kind = UartKind::Ns16550, .base = 0xb80003f8, .stride = 1, .reg_width = 1, .clock_hz = 1843200},
             .source = "QEMU hw/mips/malta.c: ISA serial at 0x3f8 (1.8432 MHz PC UART); LSR at +5, THRE bit 5",
             .qemu_verified = true,
             .uarts = 1,
             .sources_checked = true},
    SocEntry{.name = "qemu-virt",
             .description = "QEMU ARM virt (PL011 at 0x09000000)",
             .arch = CpuArch::Armv7,
             .uart = {.kind = UartKind::Pl011, .base = 0x09000000, .stride = 4, .reg_width = 4, .clock_hz = 24000000},
             .source = "QEMU hw/arm/virt.c: PL011 at 0x09000000, apb-pclk 24 MHz; ARM DDI 0183 PL011 TRM (DR, FR, "
                       "IBRD, FBRD)",
             .qemu_verified = true,
             .uarts = 1,
             .sources_checked = true},
    SocEntry{.name = "ast2500",
             .description = "Aspeed AST2500 (UART5, the BMC console, 16550 at 0x1E784000)",
             .arch = CpuArch::Armv7,
             .uart = {.kind = UartKind::Ns16550, .base = 0x1e784000, .stride = 4, .reg_width = 4, .clock_hz = 1846154},
             .source = "Aspeed aspeed-g5.dtsi (U-Boot/Linux): uart5 serial@1e784000, reg-shift 2, reg-io-width 4, "
                       "clock 24 MHz / 13; QEMU ast2500-evb",
             .qemu_verified = true,
             .uarts = 5,
             .sources_checked = true},
    ingenic("a1", "Ingenic A1 (UART1)", 3),
    ingenic("t10", "Ingenic T10 (UART1)", 5),
    ingenic("t20", "Ingenic T20 (UART1)", 5),
    ingenic("t21", "Ingenic T21 (UART1)", 4),
    ingenic("t23", "Ingenic T23 (UART1)", 4),
    ingenic("t30", "Ingenic T30 (UART1)", 5),
    ingenic("t31", "Ingenic T31 (UART1)", 4),
    ingenic("t40", "Ingenic T40 (UART1)", 4),
    ingenic("t41", "Ingenic T41 (UART1)", 6),
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
    if (idx.size() != 1 || idx[0] < '0' || idx[0] > '9') return std::nullopt;
    uart = static_cast<unsigned>(idx[0] - '0');
  }
  if (n.rfind("ingenic-", 0) == 0) n = n.substr(8);
  if (n == "virt" || n == "qemu_arm") n = "qemu-virt";
  if (n == "maltael") n = "malta";
  for (const SocEntry& e : kTable) {
    if (n != e.name) continue;
    SocEntry out = e;
    if (uart) {
      if (out.uart.base >> 16 != 0xb003 || *uart >= out.uarts) return std::nullopt;  // Ingenic only
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
  if (contains(uart, "serial@1e784000") || info.console_uart_base == 0x1e784000u)
    return {find_soc("ast2500"), "console " + info.console_uart};
  if (contains(prompt, "maltael") || contains(version, "malta") || contains(lower(info.banner), "mips malta"))
    return {find_soc("malta"), contains(prompt, "maltael") ? "prompt '" + info.prompt + "'" : "banner names Malta"};
  if (!info.soc.empty()) {
    std::string soc = lower(info.soc);
    // "T31X", "T31N", "T31ZL" ... share the T31's UART map.
    for (const SocEntry& e : kTable) {
      std::string n = e.name;
      if (soc.rfind(n, 0) == 0 && (n[0] == 't' || n == "a1")) {
        std::string why = !prompt.empty() && contains(prompt, "isvp_") ? "prompt '" + info.prompt + "'"
                                                                       : "banner names Ingenic " + info.soc;
        SocGuess g{e, why};
        // A console UART named by the boot log overrides the usual UART1.
        if (info.console_uart_base && (*info.console_uart_base & 0xfffff000u) >= 0x10030000u &&
            (*info.console_uart_base & 0xfffff000u) < 0x10030000u + e.uarts * 0x1000u) {
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
  p.reg_stride = uart.stride;
  p.uart_kind = uart.kind == UartKind::Pl011 ? CDSTUB_UART_PL011 : CDSTUB_UART_16550;
  if (uart.kind == UartKind::Ns16550) {
    p.status_off = 5 * uart.stride;  // LSR
    p.tx_mask = 1u << 5;             // THRE: holding register / FIFO empty
    p.tx_ready_set = 1;
    p.rx_mask = 1u << 0;  // DR: data ready
    p.rx_ready_set = 1;
  } else {
    p.status_off = 0x18;  // FR
    p.tx_mask = 1u << 5;  // TXFF: transmit FIFO full -> wait while set
    p.tx_ready_set = 0;
    p.rx_mask = 1u << 4;  // RXFE: receive FIFO empty -> a byte waits while clear
    p.rx_ready_set = 0;
  }
}

double uart_rate(const UartSpec& uart, uint32_t d) {
  if (uart.kind == UartKind::Pl011) {
    // PL011 TRM: BAUDDIV = IBRD + FBRD/64 = clock / (16 * rate).
    const double div = (d & 0xffff) + ((d >> 16) & 0x3f) / 64.0;
    return div > 0 ? uart.clock_hz / (16.0 * div) : 0;
  }
  return d > 0 && d <= 0xffff ? uart.clock_hz / (16.0 * d) : 0;
}

std::optional<uint32_t> uart_divisor(const UartSpec& uart, uint32_t rate) {
  if (uart.clock_hz == 0 || rate == 0) return std::nullopt;
  uint32_t d = 0;
  if (uart.kind == UartKind::Pl011) {
    const uint64_t x64 = (uint64_t(uart.clock_hz) * 4 + rate / 2) / rate;  // 64ths of clock/(16 rate)
    if (x64 < 64 || x64 >= (uint64_t(0xffff) << 6)) return std::nullopt;
    d = static_cast<uint32_t>(x64 >> 6) | static_cast<uint32_t>(x64 & 63) << 16;
  } else {
    const uint64_t div = (uint64_t(uart.clock_hz) + 8ull * rate) / (16ull * rate);
    if (div < 1 || div > 0xffff) return std::nullopt;
    d = static_cast<uint32_t>(div);
  }
  const double got = uart_rate(uart, d);
  if (got <= 0 || std::abs(got - rate) > rate * 0.01) return std::nullopt;
  return d;
}

std::string exact_fast_rates(const UartSpec& uart) {
  std::string s;
  for (uint32_t r : kFastRates)
    if (uart_divisor(uart, r)) s += (s.empty() ? "" : " ") + std::to_string(r);
  return s.empty() ? "none" : s;
}

}  // namespace camdump::uboot
