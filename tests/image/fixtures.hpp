// SPDX-License-Identifier: MIT
// Flash images for the inspector tests, built with the real tools (mkimage from u-boot-tools
// with an lzma payload, mksquashfs gzip and xz, mkfs.jffs2 little-endian with 32/64 KiB erase
// blocks, mkenvimage plain and redundant) and assembled into Thingino-like 8/16/32 MiB images
// and a stock-Ingenic-like one with an overlapping "@0(all)" part. Built once into the build
// tree (shared by every test process, guarded by a lock) and reused.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace camdump::test {

struct FixtureImage {
  std::filesystem::path path;
  std::vector<uint8_t> data;
  // Where things are (absolute offsets), for corrupting them on purpose.
  uint64_t env = 0, kernel = 0, rootfs = 0, data_part = 0;
  uint32_t kernel_size = 0;  ///< uImage data bytes
};

struct Fixtures {
  FixtureImage thingino8;   ///< xz squashfs, 32 KiB JFFS2, redundant env (2 x 32 KiB)
  FixtureImage thingino16;  ///< gzip squashfs, 64 KiB JFFS2, single 64 KiB env
  FixtureImage thingino32;  ///< xz squashfs, 64 KiB JFFS2, single env
  FixtureImage stock16;     ///< 256k boot, 16 KiB env at 0x40000, "...,16M@0(all)"
};

/// The fixtures (built on first use; skips the test binary's remaining work on failure by throwing).
const Fixtures& fixtures();

/// Offset of the first JFFS2 inode node (type 0xe002) with data at or after `from`.
uint64_t first_jffs2_inode(const std::vector<uint8_t>& img, uint64_t from);

}  // namespace camdump::test
