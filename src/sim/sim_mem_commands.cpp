// SPDX-License-Identifier: MIT
// Memory commands of the virtual camera: md (lazy, Ctrl-C and type-ahead aware, repeatable from
// the next address), mw, cp, cmp, crc32 (common/cmd_mem.c, common/hash.c; docs/reference/uboot-console.md#md,
// docs/reference/uboot-console.md#md). Addresses that are not RAM (or mapped flash) crash the board, as a
// bad access does on MIPS; so do unaligned .w/.l accesses.
#include <fmt/core.h>

#include <cstring>

#include "core/crc32.hpp"
#include "sim/sim_machine.hpp"
#include "uboot/md_format.hpp"

namespace camdump::sim {
namespace {

// cmd_get_data_size(): ".b" 1, ".w" 2, ".l" 4, none -> dflt; 0 for anything else (.q on 32-bit).
unsigned data_size(const std::string& cmd, unsigned dflt) {
  auto dot = cmd.find('.');
  if (dot == std::string::npos) return dflt;
  std::string s = cmd.substr(dot + 1);
  if (s == "b") return 1;
  if (s == "w") return 2;
  if (s == "l") return 4;
  return 0;
}

uint64_t load(const uint8_t* p, unsigned size) {
  uint64_t v = 0;
  for (unsigned i = 0; i < size; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);  // little-endian MIPS
  return v;
}

void store(uint8_t* p, uint64_t v, unsigned size) {
  for (unsigned i = 0; i < size; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

class MdJob : public Job {
 public:
  MdJob(const uint8_t* p, uint64_t addr, uint64_t bytes, unsigned size, uboot::MdDialect d)
      : p_(p), addr_(addr), total_(bytes) {
    ro_.width = size;
    ro_.dialect = d;
  }
  bool step(Machine& m, size_t want) override {
    const uint8_t* p = p_;  // stable: RAM never moves, and a reset destroys the job
    std::string& out = m.out_buf();
    size_t start = out.size();
    while (pos_ < total_ && out.size() - start < want) {
      if (!m.input().empty()) {
        // print_buffer: one line, then ctrlc() eats one pending byte and stops only on 0x03.
        uint64_t n = std::min<uint64_t>(16, total_ - pos_);
        uboot::render_md(out, {p + pos_, n}, addr_ + pos_, ro_);
        pos_ += n;
        ++m.stats_.md_lines;
        if (m.ctrlc()) {
          m.md_last_addr_ = addr_ + pos_;
          m.job_.fail();
          return true;
        }
      } else {
        uint64_t lines = std::min<uint64_t>((want - (out.size() - start)) / 60 + 1, 4096);
        uint64_t n = std::min<uint64_t>(lines * 16, total_ - pos_);
        uboot::render_md(out, {p + pos_, n}, addr_ + pos_, ro_);
        pos_ += n;
        m.stats_.md_lines += (n + 15) / 16;
      }
    }
    return pos_ >= total_;
  }

 private:
  const uint8_t* p_;
  uint64_t addr_, total_, pos_ = 0;
  uboot::MdRenderOptions ro_;
};

}  // namespace

bool Machine::cmd_md(Args& a, bool repeat) {
  uint64_t addr = md_last_addr_, length = md_last_len_;
  unsigned size = md_last_size_;
  if (!repeat) {
    size = data_size(a[0], 4);
    if (size == 0) return false;  // md.q on a 32-bit build: prints nothing, rc 1
    if (a.size() < 2) {
      usage("md");
      return false;
    }
    addr = hex_arg(a[1]);
    if (a.size() > 2) length = hex_arg(a[2]);
  }
  const uint64_t bytes = length * size;
  const uint8_t* p = bytes ? mem(addr, bytes, false) : nullptr;
  if (addr % size != 0 || (bytes && !p)) {
    crash();  // address error / bus error exception
    return false;
  }
  md_last_addr_ = addr + bytes;
  md_last_len_ = length;
  md_last_size_ = size;
  if (bytes == 0) return true;
  const auto d = opt_.ingenic() ? uboot::MdDialect::Old : uboot::MdDialect::Modern;
  start_job(std::make_unique<MdJob>(p, addr, bytes, size, d));
  return true;
}

bool Machine::cmd_mw(Args& a) {
  unsigned size = data_size(a[0], 4);
  if (size == 0) return false;
  if (a.size() < 3) {
    usage("mw");
    return false;
  }
  uint64_t addr = hex_arg(a[1]), value = hex_arg(a[2]);
  uint64_t count = a.size() > 3 ? hex_arg(a[3]) : 1;
  if (clobbers_uboot(addr, count * size)) return false;
  uint8_t* p = mem(addr, count * size, true);
  if (addr % size != 0 || (count && !p)) {
    crash();
    return false;
  }
  for (uint64_t i = 0; i < count; ++i) store(p + i * size, value, size);
  return true;
}

bool Machine::cmd_cp(Args& a) {
  unsigned size = data_size(a[0], 4);
  if (size == 0) return false;
  if (a.size() != 4) {
    usage("cp");
    return false;
  }
  uint64_t src = hex_arg(a[1]), dst = hex_arg(a[2]), count = hex_arg(a[3]);
  if (clobbers_uboot(dst, count * size)) return false;
  const uint8_t* s = mem(src, count * size, false);
  uint8_t* d = mem(dst, count * size, true);
  if (count && (!s || !d || src % size || dst % size)) {
    crash();
    return false;
  }
  if (count) std::memmove(d, s, count * size);
  return true;
}

bool Machine::cmd_cmp(Args& a) {
  unsigned size = data_size(a[0], 4);
  if (size == 0) return false;
  if (a.size() != 4) {
    usage("cmp");
    return false;
  }
  uint64_t a1 = hex_arg(a[1]), a2 = hex_arg(a[2]), count = hex_arg(a[3]);
  const uint8_t* p1 = mem(a1, count * size, false);
  const uint8_t* p2 = mem(a2, count * size, false);
  if (count && (!p1 || !p2 || a1 % size || a2 % size)) {
    crash();
    return false;
  }
  const char* type = size == 4 ? "word" : size == 2 ? "halfword" : "byte";
  uint64_t ngood = 0;
  bool same = true;
  for (; ngood < count; ++ngood) {
    uint64_t w1 = load(p1 + ngood * size, size), w2 = load(p2 + ngood * size, size);
    if (w1 != w2) {
      char b1[32], b2[32];
      std::snprintf(b1, sizeof b1, "%#0*llx", static_cast<int>(size * 2), static_cast<unsigned long long>(w1));
      std::snprintf(b2, sizeof b2, "%#0*llx", static_cast<int>(size * 2), static_cast<unsigned long long>(w2));
      out(fmt::format("{} at 0x{:08x} ({}) != {} at 0x{:08x} ({})\n", type, a1 + ngood * size, b1, type,
                      a2 + ngood * size, b2));
      same = false;
      break;
    }
  }
  out(fmt::format("Total of {} {}(s) were the same\n", ngood, type));
  return same;
}

bool Machine::cmd_crc32(Args& a) {
  if (a.size() < 3 || a[1] == "-v") {
    usage("crc32");
    return false;
  }
  uint64_t addr = hex_arg(a[1]), len = hex_arg(a[2]);
  const uint8_t* p = mem(addr, len, false);
  if (len && !p) {
    crash();
    return false;
  }
  uint32_t crc = len ? camdump::crc32({p, len}) : 0;
  const uint32_t end = static_cast<uint32_t>(addr + len - 1);
  // Single-hash 2013 build prints "CRC32", the multi-hash build (modern) "crc32" (common/hash.c).
  out(fmt::format("{} for {:08x} ... {:08x} ==> {:08x}\n", opt_.ingenic() ? "CRC32" : "crc32", addr, end, crc));
  if (a.size() > 3) {
    uint64_t st = hex_arg(a[3]);
    if (clobbers_uboot(st, 4)) return false;
    uint8_t* q = mem(st, 4, true);
    if (!q || st % 4) {
      crash();
      return false;
    }
    if (opt_.ingenic()) store(q, crc, 4);  // *(ulong *)ptr = crc
    else
      for (int i = 0; i < 4; ++i) q[i] = static_cast<uint8_t>(crc >> (24 - 8 * i));  // htonl
  }
  return true;
}

}  // namespace camdump::sim
