// SPDX-License-Identifier: MIT
// Manual-dump command generator (see script.hpp).
#include "uboot/script.hpp"

#include <fmt/core.h>

#include <algorithm>

#include "core/error.hpp"
#include "core/size.hpp"

namespace camdump::uboot {
namespace {

std::string h(uint64_t v) { return fmt::format("0x{:x}", v); }

}  // namespace

ScriptPlan plan_script(const ScriptOptions& opt) {
  ScriptPlan p;
  if (opt.flash_size == 0) fail(ErrorKind::Usage, "--flash-size must not be 0");
  if (opt.flash_size % 512) fail(ErrorKind::Usage, "--flash-size must be a multiple of 512 bytes (e.g. 8M, 16M, 32M)");
  if (opt.flash_size > kLargestFlash)
    fail(ErrorKind::Usage,
         fmt::format("--flash-size {} is larger than any camera flash (at most {})", format_size(opt.flash_size),
                     format_size(kLargestFlash)),
         "cameras carry 8M, 16M or 32M of SPI NOR (up to 512M of SPI NAND); `sf probe` prints the size");
  if (opt.baseaddr == 0) fail(ErrorKind::Usage, "--baseaddr must not be 0");
  if (opt.flash_size & (opt.flash_size - 1))
    p.warnings.push_back(
        fmt::format("--flash-size {} is not a power of two: flash chips are 4M, 8M, 16M, 32M ... "
                    "(check `sf probe`); a dump of this size leaves part of the chip out or reads past it",
                    format_size(opt.flash_size)));
  else if (opt.flash_size < (1u << 20))
    p.warnings.push_back(fmt::format("--flash-size {} is smaller than any camera flash (4M and up; check `sf probe`)",
                                     format_size(opt.flash_size)));
  p.flash_size = opt.flash_size;
  p.sd_start_block = opt.sd_start_block;
  p.sd_blocks = (opt.flash_size + p.block_size - 1) / p.block_size;
  p.chunk_size = opt.flash_size;
  const uint64_t end = opt.baseaddr + opt.flash_size;
  const bool overlaps = opt.baseaddr < kT31HeapEnd && end > kT31StagingCeiling;  // the stack too (issue 13)
  if (overlaps && opt.baseaddr < kT31StagingCeiling) {
    // Split into the largest power-of-two chunks that fit below the stack (which lies below the heap).
    uint64_t room = kT31StagingCeiling - opt.baseaddr, c = 1u << 16;
    while (c * 2 <= room && c * 2 <= opt.flash_size) c *= 2;
    if (c >= (1u << 16)) p.chunk_size = c;
    p.warnings.push_back(fmt::format(
        "{}..{} would reach into U-Boot's stack and malloc arena (from {} to {}) on a 64 MiB Ingenic T31; the flash is "
        "read in {} chunk(s) of {}",
        h(opt.baseaddr), h(end - 1), h(kT31StagingCeiling), h(kT31HeapEnd - 1),
        (opt.flash_size + p.chunk_size - 1) / p.chunk_size, format_size(p.chunk_size)));
  } else if (overlaps) {
    p.warnings.push_back(fmt::format(
        "--baseaddr {} lies in U-Boot's stack and malloc arena ({}..{}) on a 64 MiB Ingenic T31: the buffer may "
        "overwrite U-Boot (it often works, but is not guaranteed). Use --baseaddr {} (stock/OpenIPC baseaddr) instead",
        h(opt.baseaddr), h(kT31StagingCeiling), h(kT31HeapEnd - 1), h(kT31SafeBase)));
  }
  for (uint64_t off = 0; off < opt.flash_size; off += p.chunk_size) {
    ScriptChunk c;
    c.flash_offset = off;
    c.size = std::min(p.chunk_size, opt.flash_size - off);
    c.sd_block = opt.sd_start_block + off / p.block_size;
    c.sd_blocks = (c.size + p.block_size - 1) / p.block_size;
    p.chunks.push_back(c);
  }
  return p;
}

namespace {

// The md route's lines for one staged chunk `c`. Per md chunk its crc32 first, then its md.b,
// with literal addresses: the log carries the camera's checksum of every chunk, so hexlog
// verifies each and names just the chunks (or lines) to read again. Several pairs per line:
// U-Boot runs a line's commands one after the other, and drops what is typed while md prints
// (print_buffer's ctrlc()).
void add_md_lines(const ScriptOptions& opt, const ScriptChunk& c, std::vector<std::string>& u) {
  std::string line;
  unsigned pairs = 0;
  for (uint64_t off = 0; off < c.size; off += opt.md_chunk) {
    const uint64_t a = opt.baseaddr + off, n = std::min(opt.md_chunk, c.size - off);
    line += fmt::format("{}crc32 {} {}; md.b {} {}", line.empty() ? "" : "; ", h(a), h(n), h(a), h(n));
    if (++pairs == kMdPairsPerLine) u.push_back(line), line.clear(), pairs = 0;
  }
  if (!line.empty()) u.push_back(line);
}

// What to type at the U-Boot prompt.
std::vector<std::string> uboot_lines(const ScriptOptions& opt, const ScriptPlan& p) {
  const bool split = p.chunks.size() > 1;
  std::vector<std::string> u;
  u.push_back("watchdog 0");
  if (opt.route == ScriptRoute::Tftp) {
    u.push_back("setenv ipaddr " + opt.camera_ip);
    u.push_back("setenv netmask 255.255.255.0");
    u.push_back("setenv serverip " + opt.server_ip);
  }
  u.push_back("setenv baseaddr " + h(opt.baseaddr));
  u.push_back("setenv flashsize " + h(split ? p.chunk_size : p.flash_size));
  if (opt.route == ScriptRoute::Sd) {
    u.push_back("mmc dev 0");
    u.push_back(fmt::format("mmc erase {} {}", h(p.sd_start_block), h(p.sd_blocks)));
  }
  u.push_back("sf probe 0");
  for (size_t i = 0; i < p.chunks.size(); ++i) {
    const ScriptChunk& c = p.chunks[i];
    const std::string len = c.size == (split ? p.chunk_size : p.flash_size) ? "${flashsize}" : h(c.size);
    u.push_back(fmt::format("mw.b ${{baseaddr}} 0xff {}", len));
    u.push_back(fmt::format("sf read ${{baseaddr}} {} {}", h(c.flash_offset), len));
    u.push_back(fmt::format("crc32 ${{baseaddr}} {}", len));
    const std::string name = split ? fmt::format("{}.{}", opt.file, i) : opt.file;
    switch (opt.route) {
      case ScriptRoute::Sd:
        u.push_back(fmt::format("mmc write ${{baseaddr}} {} {}", h(c.sd_block), h(c.sd_blocks)));
        break;
      case ScriptRoute::Tftp: u.push_back(fmt::format("tftpput ${{baseaddr}} {} {}", len, name)); break;
      case ScriptRoute::Uart: add_md_lines(opt, c, u); break;
    }
  }
  return u;
}

// What to run on the PC afterwards, per route.
void add_sd_pc_lines(const ScriptOptions& opt, const ScriptPlan& p, std::vector<std::string>& pc) {
  const bool split = p.chunks.size() > 1;
  const std::string crc_note = split ? "<crc32 U-Boot printed for this chunk>" : "<crc32 U-Boot printed>";
  pc.push_back(
      fmt::format("# Put the card in the PC's reader ({} = the whole card, not a partition):", opt.card_device));
  for (size_t i = 0; i < p.chunks.size() && split; ++i) {
    const ScriptChunk& c = p.chunks[i];
    pc.push_back(fmt::format("camdump extract {} -o {}.{} --size {} --offset-blocks {} --expect-crc32 {}",
                             opt.card_device, opt.file, i, h(c.size), c.sd_block, crc_note));
  }
  pc.push_back(fmt::format("camdump extract {} -o {} --size {} --offset-blocks {}{}", opt.card_device, opt.file,
                           h(p.flash_size), p.sd_start_block, split ? "" : " --expect-crc32 " + crc_note));
  pc.push_back(fmt::format("# or, without camdump: sudo dd bs={} skip={} count={} if={} of={}", p.block_size,
                           p.sd_start_block, p.sd_blocks, opt.card_device, opt.file));
}

void add_tftp_pc_lines(const ScriptOptions& opt, const ScriptPlan& p, std::vector<std::string>& pc) {
  const bool split = p.chunks.size() > 1;
  // Uploads only (--once serves nothing unless --read), bound to the camera-facing address, and
  // tftpd drops from root to the sudo user as soon as port 69 is bound.
  pc.push_back(fmt::format("# Before tftpput, on the PC at {} (port 69: tftpd binds it as root, then runs as you;",
                           opt.server_ip));
  pc.push_back("# or once: sudo setcap cap_net_bind_service=+ep $(command -v camdump), then run it without sudo):");
  pc.push_back(fmt::format("sudo camdump tftpd --root . --once --listen {}", opt.server_ip));
  if (split) {
    std::string cat = "cat";
    for (size_t i = 0; i < p.chunks.size(); ++i) cat += fmt::format(" {}.{}", opt.file, i);
    pc.push_back("# after the last upload (check each file's crc32 against U-Boot's first):");
    pc.push_back(cat + " > " + opt.file);
  }
}

void add_uart_pc_lines(const ScriptOptions& opt, const ScriptPlan& p, std::vector<std::string>& pc) {
  const bool split = p.chunks.size() > 1;
  pc.push_back(
      fmt::format("# Log the console to a file first, e.g.: screen -L -Logfile {} /dev/ttyUSB0 115200", opt.log_file));
  pc.push_back("# Paste the U-Boot lines one at a time: wait for the prompt before the next (U-Boot drops what is");
  pc.push_back("# typed while md prints). Every chunk is printed with the camera's crc32, which hexlog checks.");
  pc.push_back(fmt::format("# md.b prints 79 characters per 16 bytes: about {} of log, {} at 115200 baud",
                           format_size(p.flash_size / 16 * 79),
                           fmt::format("{:.1f} h", static_cast<double>(p.flash_size) / 16 * 79 / 11520 / 3600)));
  if (!split) {
    pc.push_back(fmt::format("camdump hexlog {} -o {} --start {} --size {}", opt.log_file, opt.file, h(opt.baseaddr),
                             h(p.flash_size)));
    pc.push_back("# If hexlog exits 1 it prints, last, the md.b + crc32 commands re-reading only what is missing or");
    pc.push_back(
        fmt::format("# wrong: run them (image still in RAM) while logging to repair.log, then: camdump hexlog {} "
                    "repair.log -o {} --start {} --size {}",
                    opt.log_file, opt.file, h(opt.baseaddr), h(p.flash_size)));
  } else {
    // Every chunk is shown at the same RAM addresses: one log (and one hexlog run) per chunk.
    pc.push_back("# every chunk is printed at the same RAM address: log each staging pass to its own file");
    std::string cat = "cat";
    for (size_t i = 0; i < p.chunks.size(); ++i) {
      pc.push_back(fmt::format("camdump hexlog {}.{} -o {}.{} --start {} --size {}", opt.log_file, i, opt.file, i,
                               h(opt.baseaddr), h(p.chunks[i].size)));
      cat += fmt::format(" {}.{}", opt.file, i);
    }
    pc.push_back(cat + " > " + opt.file);
    pc.push_back("# hexlog prints repair commands for a pass it cannot complete: run them while that pass is in RAM");
  }
  pc.push_back("# hexlog checks each crc32 U-Boot printed and says which ranges the camera verified");
}

}  // namespace

Script make_script(const ScriptOptions& opt) {
  Script s;
  s.plan = plan_script(opt);
  s.uboot = uboot_lines(opt, s.plan);
  switch (opt.route) {
    case ScriptRoute::Sd: add_sd_pc_lines(opt, s.plan, s.pc); break;
    case ScriptRoute::Tftp: add_tftp_pc_lines(opt, s.plan, s.pc); break;
    case ScriptRoute::Uart: add_uart_pc_lines(opt, s.plan, s.pc); break;
  }
  return s;
}

}  // namespace camdump::uboot
