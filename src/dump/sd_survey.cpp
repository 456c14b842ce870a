// SPDX-License-Identifier: MIT
#include "dump/sd_survey.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "uboot/mmc_output.hpp"

namespace camdump::dump {
namespace {

constexpr uint64_t kBlock = 512;

uint32_t le32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

// One 512-byte sector read into RAM and printed with md.b (nullopt when any line is missing).
std::optional<std::vector<uint8_t>> read_sector(uboot::UbootSession& s, const std::string& dev, uint64_t blk,
                                                uint64_t ram) {
  auto lines = s.run(fmt::format("{} read 0x{:x} 0x{:x} 1", dev, ram, blk), std::chrono::seconds(20));
  auto res = uboot::parse_mmc_result(lines);
  if (!res || !res->ok) return std::nullopt;
  uboot::MdBlock b = s.read_md(ram, kBlock, 1);
  if (b.bad_lines()) b = s.read_md(ram, kBlock, 1);  // a noisy line: once more
  if (b.bad_lines()) return std::nullopt;
  return b.data;
}

std::string type_name(uint8_t t) {
  switch (t) {
    case 0x0b:
    case 0x0c: return "FAT32";
    case 0x06:
    case 0x0e: return "FAT16";
    case 0x07: return "exFAT/NTFS";
    case 0x83: return "Linux";
    case 0xee: return "GPT";
    default: return fmt::format("type 0x{:02x}", t);
  }
}

}  // namespace

std::vector<SdPartition> parse_mbr(std::span<const uint8_t> sec) {
  std::vector<SdPartition> out;
  if (sec.size() < kBlock || sec[0x1fe] != 0x55 || sec[0x1ff] != 0xaa) return out;
  for (unsigned i = 0; i < 4; ++i) {
    const uint8_t* e = sec.data() + 0x1be + size_t{16} * i;
    SdPartition p{i + 1, e[4], le32(e + 8), le32(e + 12)};
    if (p.type != 0 && p.count != 0) out.push_back(p);
  }
  return out;
}

std::string classify_sector(std::span<const uint8_t> sec) {
  if (std::all_of(sec.begin(), sec.end(), [](uint8_t b) { return b == 0; })) return "all zero";
  if (std::all_of(sec.begin(), sec.end(), [](uint8_t b) { return b == 0xff; })) return "all 0xff (erased)";
  static constexpr uint8_t kSpl[] = {0x06, 0x05, 0x04, 0x03, 0x02, 0x55, 0xaa, 0x55, 0xaa};  // Ingenic SPL
  if (sec.size() >= sizeof kSpl && std::memcmp(sec.data(), kSpl, sizeof kSpl) == 0)
    return "an earlier flash dump (Ingenic SPL header)";
  if (sec.size() >= kBlock && sec[0x1fe] == 0x55 && sec[0x1ff] == 0xaa) return "a boot sector (55 AA)";
  return "data";
}

SdSurvey survey_sd(uboot::UbootSession& s, const std::string& dev, unsigned number, uint64_t first_block,
                   uint64_t block_count, uint64_t ram) {
  SdSurvey v;
  v.device = fmt::format("{} {}", dev, number);
  v.first_block = first_block;
  v.block_count = block_count;
  auto mbr = read_sector(s, dev, 0, ram);
  auto target = first_block == 0 ? mbr : read_sector(s, dev, first_block, ram + kBlock);
  if (!mbr || !target) return v;
  v.read_ok = true;
  v.mbr = (*mbr)[0x1fe] == 0x55 && (*mbr)[0x1ff] == 0xaa;
  v.parts = parse_mbr(*mbr);
  v.target_kind = classify_sector(*target);
  return v;
}

std::vector<std::string> describe(const SdSurvey& s) {
  std::vector<std::string> out;
  const uint64_t last = s.first_block + s.block_count - 1;
  out.push_back(fmt::format("card {}: blocks 0x{:x}..0x{:x} ({} MiB from byte 0x{:x}) will be overwritten", s.device,
                            s.first_block, last, s.block_count * kBlock >> 20, s.first_block * kBlock));
  if (!s.read_ok) {
    out.push_back("the card's first sectors could not be read: what is on it is unknown");
    return out;
  }
  if (!s.mbr) out.push_back("block 0: no partition table (no 55 AA signature)");
  else if (s.parts.empty()) out.push_back("block 0: a partition table without partitions");
  for (const auto& p : s.parts) {
    const bool hit = p.start <= last && p.start + p.count > s.first_block;
    out.push_back(fmt::format("partition {}: {} at blocks 0x{:x}..0x{:x} ({} MiB){}", p.index, type_name(p.type),
                              p.start, p.start + p.count - 1, p.count * kBlock >> 20,
                              hit ? ": OVERLAPS the range, its file system will be destroyed" : ": not touched"));
  }
  out.push_back(fmt::format("block 0x{:x} holds: {}", s.first_block, s.target_kind));
  return out;
}

}  // namespace camdump::dump
