// SPDX-License-Identifier: MIT
// `camdump inspect`: prove a flash dump is whole. Size sanity (flash size, mirror, blank and
// zero ranges), boot (Ingenic SPL header, U-Boot strings, SoC), U-Boot environments (CRC,
// redundant flag, key variables, secrets masked), the partition layout (mtdparts from the env,
// bootargs, anywhere in the image or given; else inferred from signatures; known layouts named),
// and every part checked: uImage header/data CRC, squashfs superblock + a full read of every
// file through libsquashfs, JFFS2 node CRCs, UBI headers. Every `camdump dump ...` prints
// short_summary() after writing its output. Facts: docs/reference/mtd-and-layouts.md, docs/reference/image-formats.md, docs/reference/field-behaviour.md#checks.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "image/decompress.hpp"

namespace camdump::image {

struct ByteRange {
  uint64_t offset = 0;
  uint64_t size = 0;
  uint64_t end() const { return offset + size; }
};

/// One thing wrong, located: text() is "rootfs: squashfs block at 0x3a0000 fails to decompress".
struct Problem {
  std::string part;     ///< partition name, or "image" / "env" / "boot" for whole-image findings
  uint64_t offset = 0;  ///< absolute offset in the image
  std::string message;  ///< what is wrong, mentioning the offset where it helps
  std::string text() const { return part + ": " + message; }
};

struct UImageInfo {
  uint64_t offset = 0;
  bool header_crc_ok = false, data_crc_ok = false, truncated = false;
  uint32_t time = 0, size = 0, load = 0, entry = 0;
  uint8_t os = 0, arch = 0, type = 0, comp = 0;
  std::string name;
  std::optional<PayloadCheck> payload;  ///< gzip/lzma/lzo payload decoded to its end
};

struct BootInfo {
  bool ingenic_spl = false;                 ///< 06 05 04 03 02 55 AA 55 AA at offset 0 (image-formats.md#ingenic-spl)
  uint32_t spl_length = 0;                  ///< SPL length field (offset 12, LE)
  bool sigmastar_ipl = false;               ///< "IPL_" at offset 4
  std::vector<std::string> uboot_versions;  ///< "U-Boot SPL 2013.07 (...)", "U-Boot 2013.07 (...)"
  std::string soc;                          ///< "T31", "T40", ... when the strings/env tell it; else empty
  std::optional<uint64_t> uboot_uimage;     ///< offset of a U-Boot uImage inside boot (e.g. 0x6800)
  // Checked by the boot ROM (uboot-ingenic tools/ingenic-tools/spi_checksum.c; inspect_spl.cpp).
  std::optional<bool> spl_crc_ok;  ///< CRC7 over bytes 2048..spl_length agrees with byte 9
  uint8_t spl_crc_stored = 0, spl_crc_computed = 0;
  std::string spl_flash;                  ///< "NOR", "NAND (128 pages/block, 2048-byte pages)", "unknown"
  std::optional<uint64_t> uboot_raw;      ///< a raw (not uImage-wrapped) u-boot.bin found by its version
  std::string uboot_payload_version;      ///< version banner found inside the decompressed U-Boot
  std::optional<UImageInfo> uboot_image;  ///< the U-Boot uImage checked (CRCs, payload decoded)
};

struct EnvBlock {
  uint64_t offset = 0;
  uint64_t size = 0;       ///< CONFIG_ENV_SIZE the CRC matched (or the guess when it did not)
  bool redundant = false;  ///< has the flags byte after the CRC
  uint8_t flags = 0;
  bool crc_ok = false;
  std::vector<std::pair<std::string, std::string>> vars;  ///< in stored order; secrets masked
  /// Value of `key`, or nullptr.
  const std::string* get(std::string_view key) const;
};

struct SquashfsInfo {
  uint64_t offset = 0;
  uint64_t bytes_used = 0;
  uint32_t block_size = 0;
  uint16_t compression = 0;  ///< 1 zlib, 2 lzma, 3 lzo, 4 xz, 5 lz4, 6 zstd
  uint32_t inodes = 0;
  uint64_t files = 0, dirs = 0, file_bytes = 0;  ///< what the full read walked
  bool read_ok = false;                          ///< every file read back through libsquashfs
  uint64_t blocks = 0;                           ///< data blocks read (compressed or not)
  uint64_t stored_blocks = 0, stored_bytes = 0;  ///< data blocks/fragments stored uncompressed
};

struct Jffs2Info {
  uint64_t offset = 0;
  uint64_t good_nodes = 0, bad_nodes = 0;
  uint64_t used_bytes = 0;    ///< bytes in valid nodes
  uint64_t erased_bytes = 0;  ///< 0xff padding/erased space inside the part
  uint32_t erase_size = 0;    ///< guessed from cleanmarker spacing (0 when unknown)
  bool big_endian = false;
};

/// One UBI volume from the volume table, rebuilt from its LEBs (inspect_ubi_volumes.cpp).
struct UbiVolume {
  uint32_t id = 0;
  std::string name;
  bool is_static = false;  ///< static volumes carry a data CRC per LEB
  uint32_t reserved_pebs = 0;
  uint32_t lebs = 0;        ///< LEBs found (highest sequence number wins per LEB)
  uint32_t used_ebs = 0;    ///< static: LEBs the volume declares
  uint64_t data_bytes = 0;  ///< bytes of data rebuilt
  uint32_t crc_lebs = 0;    ///< static LEBs whose data CRC agreed
  std::string content;      ///< "env", "squashfs", "uimage", "ubifs", "empty", "data"
  std::string summary;
  bool ok = true;
};

struct UbiInfo {
  uint64_t offset = 0;
  uint32_t peb_size = 0;
  uint64_t ec_headers = 0, vid_headers = 0, bad_headers = 0, blank_pebs = 0;
  uint32_t vid_hdr_offset = 0, data_offset = 0;  ///< from the EC headers
  bool vtbl_found = false, vtbl_ok = false;      ///< volume table (layout volume) and its record CRCs
  std::vector<UbiVolume> volumes;
};

struct PartReport {
  std::string name;
  uint64_t offset = 0, size = 0;
  bool whole_chip = false;   ///< an overlapping "...@0(all)" part: not checked on its own
  bool overlapping = false;  ///< lies inside other parts ("all", "upgrade@kernel"): not checked
  std::string content;       ///< "boot", "env", "uimage", "squashfs", "jffs2", "ubi", "blank",
                             ///< "zero", "data", "missing" (beyond the image end)
  std::string summary;       ///< one human line: "uImage lzma MIPS 'Linux-3.10.14' CRC ok"
  bool ok = true;
  /// How far the checks prove the part's bytes (inspect_proof.cpp): "checksum" (every byte under
  /// a checksum that agreed), "partial" (some bytes are under none), "decoded" (parsed/decoded to
  /// the end, no checksum), "recognised" (only a signature/header), "none" (blank, zero, unknown).
  std::string proof;
  std::string proof_detail;  ///< what covered what, and what nothing covers
  uint64_t blank_bytes = 0;  ///< 0xff bytes inside the part
  std::optional<UImageInfo> uimage;
  std::optional<SquashfsInfo> squashfs;
  std::optional<Jffs2Info> jffs2;
  std::optional<UbiInfo> ubi;
};

struct LayoutInfo {
  std::string source;    ///< "option", "env", "bootargs", "image", "inferred", "none"
  std::string mtdparts;  ///< the mtdparts text used ("" when inferred)
  std::string known;     ///< "Thingino (e08b02942, current)", "stock Ingenic", "OpenIPC", ""
};

struct InspectOptions {
  std::optional<std::string> layout;  ///< "mtdparts=jz_sfc:..." overriding what the image says
  bool show_secrets = false;          ///< do not mask password/key-like env values
  bool read_files = true;             ///< full squashfs file read (the expensive, valuable part)
  const CancelFlag* cancel = nullptr;
};

struct InspectReport {
  uint64_t size = 0;
  bool flash_size = false;             ///< 4/8/16/32/64 MiB (or 128/256 MiB for NAND)
  std::optional<uint64_t> mirror_of;   ///< content repeats: the image is N copies of this size
  std::vector<ByteRange> blank, zero;  ///< runs of 0xff / 0x00 (>= 64 KiB, 4 KiB aligned)
  BootInfo boot;
  std::vector<EnvBlock> envs;
  LayoutInfo layout;
  std::vector<PartReport> parts;  ///< in offset order; whole-chip parts included
  std::vector<Problem> problems;  ///< empty = OK
  bool ok() const { return problems.empty(); }
};

/// Inspect a whole flash image. Never throws on damaged input (damage becomes problems);
/// throws Error(Usage) for a malformed `opt.layout` and Error(Cancelled) when cancelled.
InspectReport inspect(std::span<const uint8_t> image, const InspectOptions& opt = {});

/// The short form every dump prints: "inspect: OK 16 MiB Thingino (e08b02942) T31, env crc ok,
/// kernel ok, rootfs squashfs 52 files read ok, data jffs2 14 nodes ok" or the problems, one per
/// line, each prefixed "inspect: ".
std::string short_summary(const InspectReport& report);

/// Does this env key hold a secret (password, pass, psk, key, secret, token...)?
bool is_secret_key(std::string_view key);
/// Mask what is secret in an env variable: the whole value of a secret-looking key, else the
/// values of secret-looking `NAME=VALUE` and `setenv NAME VALUE` inside it (bootargs, bootcmd).
void mask_secrets(std::string_view key, std::string& value);

}  // namespace camdump::image
