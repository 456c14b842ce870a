// SPDX-License-Identifier: MIT
// A SquashFS 4.0 writer for synthetic images (image/synth.cpp) and tests, on libsquashfs
// (squashfs-tools-ng): directories and regular files, zlib data blocks and fragments (stored raw
// where they do not shrink), zlib metadata, one id (0), no xattrs/export table. The same entries
// give the same bytes. Readable by Linux, unsquashfs and libsquashfs.
// Format: linux fs/squashfs/squashfs_fs.h (facts: docs/reference/image-formats.md#squashfs).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace camdump::image {

struct SquashEntry {
  std::string path;           ///< "etc/hostname" (no leading '/'); parents are created implicitly
  std::vector<uint8_t> data;  ///< file content (ignored for directories)
  bool directory = false;
  uint16_t mode = 0644;  ///< permission bits
};

/// Serialise `entries` into a squashfs image (padded to 4 KiB with zeros, as mksquashfs does).
/// `level` is the zlib level for data blocks (1 = fast).
std::vector<uint8_t> build_squashfs(const std::vector<SquashEntry>& entries, uint32_t mkfs_time, int level = 1);

}  // namespace camdump::image
