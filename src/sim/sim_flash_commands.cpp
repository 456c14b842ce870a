// SPDX-License-Identifier: MIT
// `sf` and `mmc` of the virtual camera in every output dialect of docs/reference/uboot-console.md#sf-probe:
// Ingenic vendor (`the manufacturer 20`, `--->read spend N ms`), the Thingino 2013 fork
// (`SF:    ...`, four spaces), upstream 2013.07 and modern U-Boot. sf erase/write/update (flash
// physics) are in sim_flash_write.cpp; mmc writes go into the sd= file.
// Slow operations take virtual time: sf read at ~3.1 MB/s (stock T31 log: 1835008 bytes in
// 591 ms), mmc at ~10 MB/s.
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "sim/sim_machine.hpp"
#include "sim/sim_texts.hpp"

namespace camdump::sim {
namespace {

constexpr double kSfBytesPerSecond = 1835008.0 / 0.591;
constexpr double kMmcBytesPerSecond = 10e6;

std::string hash_x(uint64_t v) { return fmt::format("0x{:x}", v); }  // U-Boot's %#x (0 -> 0x0)

// What `sf probe` prints before its timing line, per output dialect.
std::string sf_probe_text(const SimOptions& o, const ChipInfo& chip, uint64_t flash_size) {
  switch (o.sf_dialect()) {
    case SfDialect::Vendor: return fmt::format("the manufacturer {:x}\nSF: Detected {}\n\n", chip.id[0], chip.name);
    case SfDialect::Thingino:
      return fmt::format(
          "JZSFC: Flash chip ID: {:02x}{:02x}{:02x}\nSF:    Detected {} ({:02x} {:02x} {:02x} {:02x} {:02x})\n",
          chip.id[0], chip.id[1], chip.id[2], chip.name, chip.id[0], chip.id[1], chip.id[2], chip.id[0], 0);
    case SfDialect::Upstream2013:
      return fmt::format("SF: Detected {} with page size {}, total {}\n", chip.name, print_size(uint64_t{64} * 1024),
                         print_size(flash_size));
    case SfDialect::Modern: break;
  }
  return fmt::format("SF: Detected {} with page size 256 Bytes, erase size {}, total {}\n", chip.modern_name,
                     print_size(o.erase_unit()), print_size(flash_size));
}

// `sf read ADDR OFF LEN`: the copy happens at once, the text once the read's time has passed.
bool sf_read(Machine& m, Args& a, const char* sfp) {
  if (a.size() != 5) {
    m.usage("sf");
    return false;
  }
  const auto& flash = m.flash_;
  uint64_t addr = hex_arg(a[2]), off = hex_arg(a[3]), len = hex_arg(a[4]);
  if (off > flash.size() || len > flash.size() - off) {
    if (m.opt_.sf_dialect() == SfDialect::Modern)
      m.out(fmt::format("ERROR: attempting read past flash size ({})\n", hash_x(flash.size())));
    else m.out(fmt::format("{}{} bytes @ {} Read: ERROR\n", sfp, len, hash_x(off)));
    return false;
  }
  if (m.clobbers_uboot(addr, len)) return false;
  uint8_t* dst = m.mem(addr, len, true);
  if (len && !dst) {
    m.crash();  // DMA/copy into a non-RAM address
    return false;
  }
  if (len) std::memcpy(dst, flash.data() + off, len);
  std::string text = fmt::format("{}{} bytes @ {} Read: OK\n", sfp, len, hash_x(off));
  const double secs = static_cast<double>(len) / kSfBytesPerSecond;
  text += m.sf_trailer("read", secs);
  m.start_job(make_delayed_text(std::move(text), m.drain_time() + secs));
  return true;
}

// The blocks of an `mmc read/write/erase` on the sd= file: cnt when all were done, else 0.
uint64_t sd_transfer(int fd, uint64_t sd_size, const std::string& sub, uint64_t blk, uint64_t cnt, uint8_t* p) {
  if ((blk + cnt) * 512 > sd_size) return 0;
  const uint64_t bytes = cnt * 512;
  const off_t off = static_cast<off_t>(blk * 512);
  ssize_t r = 0;
  if (sub == "erase") {
    std::vector<uint8_t> zero(std::min<uint64_t>(bytes, 1 << 20), 0);
    for (uint64_t done = 0; done < bytes && r >= 0; done += zero.size())
      r = ::pwrite(fd, zero.data(), std::min<uint64_t>(zero.size(), bytes - done), off + static_cast<off_t>(done));
  } else if (sub == "write") {
    r = bytes ? ::pwrite(fd, p, bytes, off) : 0;
  } else {
    r = bytes ? ::pread(fd, p, bytes, off) : 0;
  }
  return r >= 0 ? cnt : 0;
}

// `mmc dev [N]` and `mmc info`: the one card the sim has.
bool mmc_dev(Machine& m, Args& a, bool modern) {
  uint64_t dev = a.size() > 2 ? hex_arg(a[2]) : 0;
  if (dev != 0) {
    m.out(fmt::format("MMC Device {} not found\n", dev));
    return false;
  }
  m.out(modern ? "switch to partitions #0, OK\nmmc0 is current device\n" : "mmc0 is current device\n");
  return true;
}

std::string mmc_info_text(bool modern, uint64_t sd_size) {
  return fmt::format(
      "Device: {}\nManufacturer ID: 3\nOEM: 5344\nName: SD64G \nBus Speed: 25000000\nMode: SD High Speed (50MHz)\n"
      "Rd Block Len: 512\nSD version 3.0\nHigh Capacity: Yes\nCapacity: {}\nBus Width: 4-bit\n",
      modern ? "jz_mmc" : "msc", print_size(sd_size));
}

}  // namespace

bool Machine::cmd_sf(Args& a) {
  if (a.size() < 2) {
    usage("sf");
    return false;
  }
  if (a[1] == "probe") {
    sf_probed_ = true;
    out(sf_probe_text(opt_, chip_for(flash_.size()), flash_.size()));
    out(sf_trailer("probe", 0.004));
    return true;
  }
  if (!sf_probed_) {
    out("No SPI flash selected. Please run `sf probe'\n");
    return false;
  }
  if (a[1] == "read") return sf_read(*this, a, opt_.sf_dialect() == SfDialect::Thingino ? "SF:    " : "SF: ");
  if (a[1] == "erase" || a[1] == "write" || a[1] == "update") return cmd_sf_change(a);
  usage("sf");
  return false;
}

bool Machine::cmd_mmc(Args& a) {
  const bool modern = opt_.dialect == Dialect::Modern;
  if (a.size() < 2) {
    usage("mmc");
    return false;
  }
  if (sd_fd_ < 0) {
    out(modern ? "Card did not respond to voltage select! : -110\n" : "Card did not respond to voltage select!\n");
    return false;
  }
  const std::string& sub = a[1];
  if (sub == "rescan") return true;
  if (sub == "dev") return mmc_dev(*this, a, modern);
  if (sub == "info") {
    out(mmc_info_text(modern, sd_size_));
    return true;
  }
  const bool erase = sub == "erase";
  if ((sub != "read" && sub != "write" && !erase) || a.size() != (erase ? 4u : 5u)) {
    usage("mmc");
    return false;
  }
  const uint64_t addr = erase ? 0 : hex_arg(a[2]);
  const uint64_t blk = hex_arg(a[erase ? 2 : 3]), cnt = hex_arg(a[erase ? 3 : 4]);
  const uint64_t bytes = cnt * 512;
  if (sub == "read" && clobbers_uboot(addr, bytes)) return false;
  uint8_t* p = erase ? nullptr : mem(addr, bytes, sub == "read");
  if (!erase && bytes && !p) {
    crash();
    return false;
  }
  const uint64_t n = sd_transfer(sd_fd_, sd_size_, sub, blk, cnt, p);
  // 2013.07 (common/cmd_mmc.c): "\nMMC %s: ..." and "%d blocks %s: %s" with the verb from argv;
  // modern (cmd/mmc.c): no leading newline, "read" / "written" / "erased".
  std::string verb = modern ? (sub == "write" ? "written" : erase ? "erased" : "read") : sub;
  out(fmt::format("{}MMC {}: dev # 0, block # {}, count {} ... ", modern ? "" : "\n", sub, blk, cnt));
  std::string text = fmt::format("{} blocks {}: {}\n", n, verb, n == cnt ? "OK" : "ERROR");
  start_job(make_delayed_text(std::move(text), drain_time() + static_cast<double>(bytes) / kMmcBytesPerSecond));
  return n == cnt;
}

}  // namespace camdump::sim
