// SPDX-License-Identifier: MIT
#include "dump/md_reader.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/crc32.hpp"
#include "uboot/device_crc.hpp"

namespace camdump::dump {
namespace {

constexpr uint64_t kLeaf = 256;      // below this, re-read instead of asking for more CRCs
constexpr size_t kMaxRunLines = 64;  // one md command re-reads at most this many lines
constexpr int kFillRounds = 6;

uint32_t crc_of(const std::vector<uint8_t>& d, uint64_t off, uint64_t len) {
  return crc32(std::span<const uint8_t>(d.data() + off, len));
}

}  // namespace

void swap_units(std::vector<uint8_t>& data, uboot::MdWidth width) {
  if (width < 2) return;
  for (size_t i = 0; i + width <= data.size(); i += width) std::reverse(data.data() + i, data.data() + i + width);
}

MdReader::MdReader(uboot::UbootSession& s, std::optional<uboot::MdWidth> width) : s_(s), width_(width) {}

// Widest md that answers, then the byte order: compare md.<w> with md.b over up to 16 lines and
// take the first line whose little- and big-endian readings differ.
void MdReader::probe(uint64_t ram, uint64_t len) {
  if (!width_) {
    width_ = s_.probe_md_width(ram);
    s_.reporter().log(LogLevel::Info, fmt::format("md width: md.{}", *width_ == 4 ? 'l' : *width_ == 2 ? 'w' : 'b'));
  }
  if (*width_ == 1) {
    endian_known_ = true;
    return;
  }
  uint64_t n = std::min<uint64_t>(len, 256);
  for (int attempt = 0; attempt < 3 && !endian_known_; ++attempt) {
    auto wide = s_.read_md(ram, n, *width_, uboot::Endian::Little);
    auto bytes = s_.read_md(ram, n, 1);
    for (size_t l = 0; l < wide.good.size(); ++l) {
      if (!wide.good[l] || !bytes.good[l]) continue;
      std::vector<uint8_t> le(wide.data.data() + l * 16, wide.data.data() + l * 16 + 16);
      std::vector<uint8_t> b(bytes.data.data() + l * 16, bytes.data.data() + l * 16 + 16);
      std::vector<uint8_t> be = le;
      swap_units(be, *width_);
      if (le == be) continue;  // symmetric words: undecided
      if (le == b || be == b) {
        endian_ = le == b ? uboot::Endian::Little : uboot::Endian::Big;
        endian_known_ = true;
        s_.reporter().log(LogLevel::Debug, endian_ == uboot::Endian::Little ? "little-endian CPU" : "big-endian CPU");
        break;
      }
    }
    if (!endian_known_ && wide.bad_lines() == 0 && bytes.bad_lines() == 0) break;  // all symmetric
  }
}

void MdReader::reread(std::vector<uint8_t>& data, uint64_t ram, uint64_t off, uint64_t len) {
  auto b = s_.read_md(ram + off, len, *width_, endian_);
  reread_lines_ += len / 16;
  for (size_t l = 0; l < b.good.size(); ++l)
    if (b.good[l]) std::copy_n(b.data.data() + l * 16, 16, data.data() + off + l * 16);
}

bool MdReader::fill_missing(uboot::MdBlock& b) {
  for (int round = 0; round < kFillRounds; ++round) {
    bool any = false;
    for (size_t i = 0; i < b.good.size();) {
      if (b.good[i]) {
        ++i;
        continue;
      }
      size_t j = i;
      while (j < b.good.size() && !b.good[j] && j - i < kMaxRunLines) ++j;
      any = true;
      auto r = s_.read_md(b.addr + i * 16, (j - i) * 16, *width_, endian_);
      reread_lines_ += j - i;
      for (size_t l = 0; l < r.good.size(); ++l)
        if (r.good[l]) {
          std::copy_n(r.data.data() + l * 16, 16, b.data.data() + (i + l) * 16);
          b.good[i + l] = 1;
        }
      i = j;
    }
    if (!any) return true;
  }
  return b.bad_lines() == 0;
}

bool MdReader::fix_range(std::vector<uint8_t>& data, uint64_t ram, uint64_t off, uint64_t len, uint32_t dev,
                         int depth) {
  if (crc_of(data, off, len) == dev) return true;
  if (len <= kLeaf || depth > 16) {
    for (int t = 0; t < 4; ++t) {
      reread(data, ram, off, len);
      if (crc_of(data, off, len) == dev) return true;
    }
    return false;
  }
  uint64_t half = (len / 2) & ~uint64_t{15};
  for (auto [o, l] : {std::pair{off, half}, std::pair{off + half, len - half}}) {
    const auto c = uboot::device_crc32(s_, ram + o, l, uboot::kHalfCrc);
    if (c && crc_of(data, o, l) != *c) fix_range(data, ram, o, l, *c, depth + 1);
  }
  return crc_of(data, off, len) == dev;
}

std::optional<VerifiedRead> MdReader::read_verified(uint64_t ram, uint64_t len, uint32_t dev) {
  if (!width_ || !endian_known_) probe(ram, len);
  auto b = s_.read_md(ram, len, *width_, endian_);
  if (!fill_missing(b)) return std::nullopt;
  VerifiedRead v{std::move(b.data), dev};
  if (crc32(v.data) == dev) return v;
  if (!endian_known_ && *width_ > 1) {  // all probed words were symmetric: try the other order
    std::vector<uint8_t> sw = v.data;
    swap_units(sw, *width_);
    if (crc32(sw) == dev) {
      endian_ = endian_ == uboot::Endian::Little ? uboot::Endian::Big : uboot::Endian::Little;
      endian_known_ = true;
      v.data = std::move(sw);
      return v;
    }
  }
  if (fix_range(v.data, ram, 0, len, dev, 0)) return v;
  // The device's reply itself may have been damaged: ask once more.
  if (auto again = uboot::device_crc32(s_, ram, len, uboot::kOnceCrc); again && crc32(v.data) == *again) {
    v.crc = *again;
    return v;
  }
  return std::nullopt;
}

}  // namespace camdump::dump
