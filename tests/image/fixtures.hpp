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
  uint64_t uboot = 0;        ///< the U-Boot uImage (lzop payload) after the SPL
  uint32_t spl_length = 0;
};

struct Fixtures {
  FixtureImage thingino8;   ///< xz squashfs, 32 KiB JFFS2, redundant env (2 x 32 KiB)
  FixtureImage thingino16;  ///< gzip squashfs, 64 KiB JFFS2, single 64 KiB env
  FixtureImage thingino32;  ///< xz squashfs, 64 KiB JFFS2, single env
  FixtureImage stock16;     ///< 256k boot, 16 KiB env at 0x40000, "...,16M@0(all)"
  /// Thingino SPI-NAND-like: NAND-flavour SPL, LZO U-Boot at 0x8000 in a 1 MiB boot, then UBI
  /// (ubinize, 128 KiB PEB, 2 KiB pages) with volumes uboot-env (dynamic, mkenvimage), kernel
  /// (static uImage), rootfs (dynamic squashfs), overlay (dynamic UBIFS from mkfs.ubifs).
  /// `kernel`/`rootfs`/`env`/`data_part` hold the UBI offset here; find LEBs with find_leb().
  FixtureImage nand16;
  /// The raw files the images were made of (for building variants in tests).
  std::filesystem::path dir;
};

/// Absolute offset of the data of LEB `lnum` of UBI volume `vol_id` (scanning VID headers), or 0.
uint64_t find_leb(const std::vector<uint8_t>& img, uint64_t ubi_off, uint32_t vol_id, uint32_t lnum);

/// CRC7 (x^7 + x^3 + 1) as the Ingenic spi_checksum tool computes it, written here independently of
/// the library (table-driven), so a test can recompute the SPL header byte.
uint8_t test_crc7(const uint8_t* p, size_t n);

/// Runs a tool in `cwd` (throws with its stderr when it fails).
void run_tool(const std::vector<std::string>& argv, const std::filesystem::path& cwd);

/// The fixtures (built on first use; skips the test binary's remaining work on failure by throwing).
const Fixtures& fixtures();

/// Offset of the first JFFS2 inode node (type 0xe002) with data at or after `from`.
uint64_t first_jffs2_inode(const std::vector<uint8_t>& img, uint64_t from);

}  // namespace camdump::test
