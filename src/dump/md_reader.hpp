// SPDX-License-Identifier: MIT
// Reads one staged chunk with md and makes it match the device's crc32 with as few extra wire
// characters as possible: lines the parser flags (address, hex, ASCII column, missing) are re-read
// alone; lines whose hex was changed without the ASCII column noticing (bytes shown as '.') are
// found by asking the device for the crc32 of halves, down to 256-byte pieces that are re-read.
// Also finds the widest md that works and the CPU byte order (md.w/md.l print native words).
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "uboot/session.hpp"

namespace camdump::dump {

struct VerifiedRead {
  std::vector<uint8_t> data;
  uint32_t crc = 0;  ///< the device's crc32, equal to the data's
};

class MdReader {
 public:
  MdReader(uboot::UbootSession& s, std::optional<uboot::MdWidth> width);
  /// md of [ram, ram+len), repaired until its CRC32 equals `dev_crc` (or a fresh device crc32);
  /// nullopt when it does not verify this time. ConsoleLost passes through.
  std::optional<VerifiedRead> read_verified(uint64_t ram, uint64_t len, uint32_t dev_crc);
  uboot::MdWidth width() const { return width_.value_or(4); }
  uboot::Endian endian() const { return endian_; }
  uint64_t reread_lines() const { return reread_lines_; }

 private:
  void probe(uint64_t ram, uint64_t len);
  bool fill_missing(uboot::MdBlock& b);
  bool fix_range(std::vector<uint8_t>& data, uint64_t ram, uint64_t off, uint64_t len, uint32_t dev, int depth);
  void reread(std::vector<uint8_t>& data, uint64_t ram, uint64_t off, uint64_t len);

  uboot::UbootSession& s_;
  std::optional<uboot::MdWidth> width_;
  uboot::Endian endian_ = uboot::Endian::Little;
  bool endian_known_ = false;
  uint64_t reread_lines_ = 0;
};

/// Reverse the byte order inside each `width`-byte unit (md.w/md.l read with the wrong endianness).
void swap_units(std::vector<uint8_t>& data, uboot::MdWidth width);

}  // namespace camdump::dump
