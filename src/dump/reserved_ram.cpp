// SPDX-License-Identifier: MIT
// U-Boot's reserved area in RAM (see reserved_ram.hpp).
#include "dump/reserved_ram.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <regex>

#include "core/size.hpp"
#include "uboot/script.hpp"

namespace camdump::dump {
namespace {

constexpr uint64_t kMiB = 1u << 20;
/// Room left for the stack below its top (U-Boot's commands use a few KiB; 1 MiB is generous).
constexpr uint64_t kStackRoom = kMiB;
/// Boot params (256 KiB on Thingino, 128 KiB stock Ingenic), board info and global data between
/// the malloc arena and the stack top (arch/mips/lib/board.c, 2013.07).
constexpr uint64_t kBelowMalloc = 0x41000;
/// Assumed malloc arena when only relocaddr or the RAM size is known: 32 MiB (Ingenic
/// isvp_common.h, evb-ast2500_defconfig) plus 2 MiB for what 2023.01 puts between it and the
/// stack (qemu_arm: relocaddr 0x5ff38000, lmb reserved from 0x5ddf3000 with a 16 MiB arena).
constexpr uint64_t kMallocGuess = 34 * kMiB;
/// U-Boot's own code, data and bss at the very top (about 0.5 MiB on the boards seen).
constexpr uint64_t kCodeGuess = kMiB;
/// Ingenic's U-Boot never uses RAM above this (SDRAM_MAX_TOP; T31 boot log "Top of RAM usable
/// for U-Boot at: 84000000"), so 128 MiB boards have the 64 MiB layout.
constexpr uint64_t kIngenicTop = 0x84000000;
/// Ingenic T-series/A1 safe ceiling: 1 MiB below the stock T31 stack pointer 0x81f6bf48 (the
/// same bound `camdump script` splits by).
constexpr uint64_t kIngenicCeiling = uboot::kT31StagingCeiling;

std::optional<uint64_t> find_hex(const std::string& text, const std::regex& re) {
  std::smatch m;
  if (!std::regex_search(text, m, re)) return std::nullopt;
  return parse_hex(m[1].str());
}

bool mips(const uboot::DeviceInfo& info) { return info.ingenic || info.arch == "mips"; }

uint64_t round_down(uint64_t v, uint64_t to) { return v / to * to; }

/// The ceiling for a stack that starts (grows down) from `stack_top`.
RamCeiling below_stack(uint64_t stack_top, std::string why) {
  const uint64_t c = stack_top > kStackRoom ? round_down(stack_top - kStackRoom, kMiB) : 0;
  return {c, std::move(why)};
}

}  // namespace

uint64_t ram_view(const uboot::DeviceInfo& info, uint64_t addr) {
  if (mips(info) && addr >= 0x80000000u && addr < 0xc0000000u) return addr & 0x1fffffffu;
  return addr;
}

namespace {

std::optional<RamCeiling> learn(const uboot::DeviceInfo& info, std::string_view bdinfo_text);

// `lmb_dump_all:` in 2023.01 bdinfo lists `reserved[N] [0xSTART-0xEND]`; the regions that run up to
// the top of RAM are U-Boot's own (stack, arena, code, video), so nothing may be staged above the
// lowest start among them (U-Boot's load commands refuse the same range).
std::optional<uint64_t> lmb_floor(std::string_view bdinfo_text) {
  static const std::regex re(R"(reserved\[\d+\]\s*\[0x([0-9a-fA-F]+)-0x([0-9a-fA-F]+)\])");
  std::optional<uint64_t> floor, top;
  const std::string text(bdinfo_text);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it) {
    auto lo = parse_hex((*it)[1].str()), hi = parse_hex((*it)[2].str());
    if (!lo || !hi) continue;
    if (!top || *hi > *top) top = *hi, floor = lo;
    else if (*hi == *top && *lo < *floor) floor = lo;
  }
  return floor;
}

}  // namespace

std::optional<RamCeiling> staging_ceiling(const uboot::DeviceInfo& info, std::string_view bdinfo_text) {
  auto c = learn(info, bdinfo_text);
  if (auto f = lmb_floor(bdinfo_text); f && c && round_down(*f, kMiB) < c->ceiling) {
    c->ceiling = round_down(*f, kMiB);
    c->why += fmt::format(", LMB reserved from 0x{:x}", *f);
  }
  // Never above the Ingenic safe ceiling: every Ingenic U-Boot seen reserves at least that much,
  // and a hex digit damaged by line noise must not lift the bound into the stack.
  if (c && info.ingenic && c->ceiling > kIngenicCeiling) {
    c->ceiling = kIngenicCeiling;
    c->why += ", capped at the Ingenic safe ceiling";
  }
  return c;
}

namespace {

std::optional<RamCeiling> learn(const uboot::DeviceInfo& info, std::string_view bdinfo_text) {
  const std::string log(info.banner), bd(bdinfo_text);
  static const std::regex sp(R"(Stack Pointer at:\s*(?:0x)?([0-9a-fA-F]{4,16}))");
  static const std::regex malloc_at(R"(Reserving\s+\d+k\s+for malloc\(\) at:\s*(?:0x)?([0-9a-fA-F]{4,16}))");
  static const std::regex top_at(R"(Top of RAM usable for U-Boot at:\s*(?:0x)?([0-9a-fA-F]{4,16}))");
  static const std::regex sp_start(R"(sp start\s*=\s*0x([0-9a-fA-F]+))");
  static const std::regex bd_addr(R"(bd address\s*=\s*0x([0-9a-fA-F]+))");
  static const std::regex new_fdt(R"(new_fdt\s*=\s*0x([0-9a-fA-F]+))");
  static const std::regex boot_params(R"(boot_params\s*=\s*0x([0-9a-fA-F]+))");
  static const std::regex reloc(R"(relocaddr\s*=\s*0x([0-9a-fA-F]+))");
  static const std::regex mem_start(R"((?:-> start|memstart)\s*=\s*0x([0-9a-fA-F]+))");
  static const std::regex mem_size(R"((?:-> size|memsize)\s*=\s*0x([0-9a-fA-F]+))");

  // 1. The boot log.
  if (auto v = find_hex(log, sp)) return below_stack(*v, fmt::format("boot log 'Stack Pointer at: {:08x}'", *v));
  if (auto v = find_hex(log, malloc_at); v && *v > kBelowMalloc)
    return below_stack(*v - kBelowMalloc, fmt::format("boot log 'Reserving ... for malloc() at: {:08x}'", *v));

  // 2. bdinfo. 2023.01 on ARM prints the stack start itself (`sp start`, arch/arm/lib/bdinfo.c).
  if (auto v = find_hex(bd, sp_start); v && *v) return below_stack(*v, fmt::format("bdinfo 'sp start = 0x{:x}'", *v));
  if (auto v = find_hex(bd, bd_addr); v && *v) {
    uint64_t top = *v;
    std::string why = fmt::format("bdinfo 'bd address = 0x{:x}'", *v);
    if (auto f = find_hex(bd, new_fdt); f && *f && *f < top && *v - *f < 16 * kMiB) {
      top = *f;  // the relocated device tree sits between bd/gd and the stack
      why += fmt::format(", 'new_fdt = 0x{:x}'", *f);
    }
    return below_stack(top, why);
  }
  if (auto v = find_hex(bd, boot_params); v && *v && mips(info))
    return below_stack(*v, fmt::format("bdinfo 'boot_params = 0x{:x}' (the stack starts below it)", *v));

  std::optional<uint64_t> start = find_hex(bd, mem_start), size = find_hex(bd, mem_size);
  if (!start) start = info.dram_start;
  if (!size) size = info.dram_size;
  // Half of a small RAM at most (a 64 MiB T31 has 32 MiB; a 32 MiB board cannot have 32 MiB).
  const uint64_t malloc_guess = size && *size ? std::min(kMallocGuess, *size / 2) : kMallocGuess;
  std::optional<uint64_t> reloc_addr = find_hex(bd, reloc);
  if (!reloc_addr) reloc_addr = info.reloc_addr;
  if (reloc_addr && *reloc_addr > malloc_guess + kBelowMalloc)
    return below_stack(
        *reloc_addr - malloc_guess - kBelowMalloc,
        fmt::format("relocaddr 0x{:x} less an assumed {} malloc arena", *reloc_addr, format_size(malloc_guess)));
  const auto log_top = find_hex(log, top_at);
  if (size && *size) {
    uint64_t base = start.value_or(0);
    if (mips(info) && base < 0x80000000u) base += 0x80000000u;  // bdinfo prints the physical start
    uint64_t top = base + *size;
    if (info.ingenic) top = std::min(top, kIngenicTop);
    if (log_top) top = std::min(top, *log_top);
    if (top > kCodeGuess + malloc_guess + kBelowMalloc)
      return below_stack(
          top - kCodeGuess - malloc_guess - kBelowMalloc,
          fmt::format("top of RAM 0x{:x} less U-Boot and an assumed {} malloc arena", top, format_size(malloc_guess)));
  }
  if (log_top && *log_top > kCodeGuess + malloc_guess + kBelowMalloc)
    return below_stack(*log_top - kCodeGuess - malloc_guess - kBelowMalloc,
                       fmt::format("boot log 'Top of RAM usable for U-Boot at: {:08x}'", *log_top));

  // 3. The SoC's safe ceiling.
  if (info.ingenic)
    return RamCeiling{kIngenicCeiling,
                      fmt::format("Ingenic {} safe ceiling (U-Boot from 0x84000000 down: code, 32 MiB malloc, "
                                  "boot params, stack)",
                                  info.soc.empty() ? "T-series" : info.soc)};
  return std::nullopt;
}

}  // namespace
}  // namespace camdump::dump
