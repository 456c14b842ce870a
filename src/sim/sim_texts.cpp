// SPDX-License-Identifier: MIT
#include "sim/sim_texts.hpp"

#include <fmt/core.h>

#include <algorithm>

namespace camdump::sim {
namespace {

// Build stamp shared by the banner and `version` (the same string in both, as in U-Boot).
constexpr const char* kOldStamp = "(Jul 01 2026 - 12:00:00)";
constexpr const char* kNewStamp = "(Jul 01 2026 - 12:00:00 +0000)";

bool ingenic(const SimOptions& o) { return o.ingenic(); }

// U_BOOT_VERSION_STRING of the 2013.07 builds (banner and `version`).
const char* uboot_name(const SimOptions& o) {
  return o.dialect == Dialect::Thingino ? "Thingino U-Boot for Ingenic 2013.07" : "U-Boot 2013.07";
}

}  // namespace

ChipInfo chip_for(uint64_t flash_size) {
  // XMC parts are the common T31 ones (docs/reference/spi-flash.md#nor-chips; stock log "the manufacturer 20").
  switch (flash_size) {
    case 8u << 20: return {.name = "XM25QH64C", .modern_name = "xm25qh64c", .id = {0x20, 0x40, 0x17}};
    case 16u << 20: return {.name = "XM25QH128C", .modern_name = "xm25qh128c", .id = {0x20, 0x40, 0x18}};
    case 32u << 20: return {.name = "XM25QH256C", .modern_name = "xm25qh256c", .id = {0x20, 0x40, 0x19}};
    default: break;
  }
  uint8_t cap = 0;
  while ((uint64_t{1} << cap) < flash_size) ++cap;
  unsigned mbit = static_cast<unsigned>(flash_size >> 17);
  return {.name = fmt::format("W25Q{}", mbit), .modern_name = fmt::format("w25q{}", mbit), .id = {0xef, 0x40, cap}};
}

std::string print_size(uint64_t size) {
  static const char kNames[] = {'E', 'P', 'T', 'G', 'M', 'K'};
  uint64_t d = uint64_t{1} << 60;
  for (char c : kNames) {
    if (size >= d) {
      unsigned shift = 0;
      while ((uint64_t{1} << shift) < d) ++shift;
      uint64_t n = size >> shift;
      uint64_t m = ((size - (n << shift)) * 10 + (d >> 1)) >> shift;
      if (m >= 10) {
        m -= 10;
        ++n;
      }
      std::string s = std::to_string(n);
      if (m) s += fmt::format(".{}", m);
      return s + fmt::format(" {}iB", c);
    }
    d >>= 10;
  }
  return fmt::format("{} Bytes", size);
}

std::string version_text(const SimOptions& o) {
  if (ingenic(o))
    return fmt::format(
        "\n{} {}\nmips-linux-gnu-gcc (Ingenic r2.3.3 2016.12) 4.7.2\nGNU ld (Ingenic r2.3.3 2016.12) "
        "2.24.51.20140512\n",
        uboot_name(o), kOldStamp);
  return fmt::format("U-Boot 2026.07 {}\n\nmipsel-linux-gcc (Buildroot 2026.02) 14.3.0\nGNU ld (GNU Binutils) 2.44\n",
                     kNewStamp);
}

std::string coninfo_text(const SimOptions& o) {
  if (ingenic(o))
    // Old common/cmd_console.c: "%-8s %08x %c%c%c " + the stdio names it serves.
    return "List of available devices:\nserial   80000003 SIO stdin stdout stderr \n";
  return fmt::format(
      "List of available devices\n|-- serial@{:x} (IO)\n|   |-- stdin\n|   |-- stdout\n|   |-- stderr\n"
      "|-- serial (IO)\n|-- nulldev (IO)\n",
      kSimUartBase + uint64_t{0x1000} * o.uart);
}

std::string boot_log(const SimOptions& o, uint64_t flash_size, uint32_t baud) {
  (void)baud;
  const ChipInfo chip = chip_for(flash_size);
  std::string s;
  if (ingenic(o)) {
    // Thingino's fork names itself in both banners (docs/reference/uboot-console.md#banners).
    if (o.dialect == Dialect::Thingino)
      s += fmt::format("\n\nThingino U-Boot for Ingenic T31 SPL 2013.07 {}\n", kOldStamp);
    else s += fmt::format("\n\nU-Boot SPL 2013.07 {} Ingenic T31\n", kOldStamp);
    s += "board_init_r\nimage entry point: 0x80100000\n";
    s += fmt::format("\n\n{} {}\n\n", uboot_name(o), kOldStamp);
    s += "Board: ISVP (Ingenic XBurst T31 SoC)\nDRAM:  64 MiB\n";
    s += "Top of RAM usable for U-Boot at: 84000000\nReserving 32784k for malloc() at: 81f8c000\n";
    s += "Reserving 32 Bytes for Board Info at: 81f8bfe0\nReserving 124 Bytes for Global Data at: 81f8bf60\n";
    s += "Reserving 128k for boot params() at: 81f6bf60\nStack Pointer at: 81f6bf48\n";
    s += "Now running in RAM - U-Boot at: 83f90000\nMMC:   msc: 0\n";
    switch (o.sf_dialect()) {
      case SfDialect::Vendor:
        s += fmt::format("the manufacturer {:x}\nSF: Detected {}\n\n--->probe spend 4 ms\n", chip.id[0], chip.name);
        break;
      case SfDialect::Thingino:
        s += fmt::format("JZSFC: Flash chip ID: {:02x}{:02x}{:02x}\n", chip.id[0], chip.id[1], chip.id[2]);
        break;
      default: break;
    }
    s += "In:    serial\nOut:   serial\nErr:   serial\nNet:   Jz4775-9161\n";
  } else {
    s += fmt::format("\nU-Boot SPL 2026.07 {}\nTrying to boot from SPI\n\n\n", kNewStamp);
    s += fmt::format("U-Boot 2026.07 {}\n\n", kNewStamp);
    s += "CPU:   Ingenic T31 (XBurst1)\nModel: Ingenic T31 (sim)\nDRAM:  64 MiB\n";
    s += "Core:  18 devices, 12 uclasses, devicetree: separate\n";
    s += fmt::format("SF: Detected {} with page size 256 Bytes, erase size 4 KiB, total {}\n", chip.modern_name,
                     print_size(flash_size));
    s += "Loading Environment from SPIFlash... OK\n";
    s += fmt::format("In:    serial@{0:x}\nOut:   serial@{0:x}\nErr:   serial@{0:x}\n",
                     kSimUartBase + uint64_t{0x1000} * o.uart);
    s += "Net:   No ethernet found.\n";
  }
  return s;
}

std::string autoboot_linux_log(const SimOptions& o) {
  std::string s;
  if (ingenic(o)) s += "SF:    1638400 bytes @ 0x70000 Read: OK\n";
  else s += "SF: 1638400 bytes @ 0x70000 Read: OK\n";
  s +=
      "## Booting kernel from Legacy Image at 80600000 ...\n"
      "   Image Name:   Linux-3.10.14-Thingino\n"
      "   Image Type:   MIPS Linux Kernel Image (lzma compressed)\n"
      "   Data Size:    1572864 Bytes = 1.5 MiB\n"
      "   Load Address: 80010000\n"
      "   Entry Point:  80400630\n"
      "   Verifying Checksum ... OK\n"
      "   Uncompressing Kernel Image ... OK\n\nStarting kernel ...\n\n"
      "[    0.000000] Linux version 3.10.14-Thingino (builder@thingino) (gcc version 13.3.0) #1 PREEMPT\n"
      "[    0.000000] [<80010000>] CPU0 revision is: 00d00100 (Ingenic Xburst)\n"
      "[    0.000000] Determined physical RAM map:\n"
      "[    0.000000]  memory: 04000000 @ 00000000 (usable)\n"
      "[    0.000000] Kernel command line: console=ttyS1,115200n8 mem=64M@0x0 rootfstype=squashfs root=/dev/mtdblock4\n"
      "[    0.612345] jz-sfc jz-sfc: JZ SFC Controller for SFC channel 0 driver register\n"
      "[    1.002345] VFS: Mounted root (squashfs filesystem) readonly on device 31:4.\n"
      "[    1.103456] Freeing unused kernel memory: 212K (80512000 - 80547000)\n"
      "Starting syslogd: OK\nStarting klogd: OK\nStarting network: OK\n\n"
      "Welcome to thingino\ning-t31-sim login: ";
  return s;
}

}  // namespace camdump::sim
