// SPDX-License-Identifier: MIT
// Internal to the UBI checker: what the PEB scan (inspect_ubi.cpp) hands to the volume checks
// (inspect_ubi_volumes.cpp). Header layouts: linux drivers/mtd/ubi/ubi-media.h.
#pragma once
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "image/inspect.hpp"

namespace camdump::image::detail {

inline constexpr uint32_t kUbiLayoutVolume = 0x7fffefff;  // UBI_LAYOUT_VOLUME_ID: the volume table

/// One mapped LEB: where its PEB is and what its VID header says.
struct UbiLeb {
  uint64_t peb = 0;  ///< absolute offset of the PEB
  uint64_t sqnum = 0;
  uint32_t data_size = 0, used_ebs = 0, data_crc = 0, data_pad = 0;
  uint8_t vol_type = 0, copy_flag = 0;
};

/// vol_id -> lnum -> the newest copy of that LEB (highest sqnum).
using UbiLebMap = std::map<uint32_t, std::map<uint32_t, UbiLeb>>;

/// UBI's CRC-32: crc32_le seeded with 0xffffffff and not inverted at the end (ubi-media.h
/// UBI_CRC32_INIT), i.e. the bitwise complement of zlib's crc32().
uint32_t ubi_crc(std::span<const uint8_t> d);

/// The volume table, each volume rebuilt and checked; fills info.volumes. `leb_size` = PEB size
/// minus data_offset.
void check_ubi_volumes(std::span<const uint8_t> img, UbiInfo& info, const UbiLebMap& lebs, const std::string& part,
                       const InspectOptions& opt, std::vector<Problem>& out);

}  // namespace camdump::image::detail
