// SPDX-License-Identifier: MIT
// The inspector's per-format checkers (one .cpp each): uImage, U-Boot env, squashfs (full read
// through libsquashfs), JFFS2 nodes, UBI headers, boot area. Each takes the whole image plus the
// absolute range it may look at and appends located Problems. Internal to the image layer.
#pragma once
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "image/inspect.hpp"

namespace camdump::image::detail {

/// uImage at `off` (nullopt when the magic is absent); data must end by `limit`.
std::optional<UImageInfo> check_uimage(std::span<const uint8_t> img, uint64_t off, uint64_t limit);
/// One-line description of a checked uImage ("uImage lzma MIPS Linux kernel 'name', CRCs ok").
std::string describe_uimage(const UImageInfo& u);
/// Problems of a checked uImage, for part `part`.
void uimage_problems(const UImageInfo& u, const std::string& part, std::vector<Problem>& out);

/// Env block at `off` looking at most `max_size` bytes: CRC-valid for one of the usual sizes
/// (single or redundant), or a plausible block with a bad CRC (crc_ok false); nullopt if no env.
std::optional<EnvBlock> parse_env_at(std::span<const uint8_t> img, uint64_t off, uint64_t max_size, bool show_secrets);
/// Envs at the known Ingenic/Thingino offsets (even with a bad CRC) and, by scanning every 4 KiB,
/// CRC-valid envs elsewhere; sorted by offset.
std::vector<EnvBlock> find_envs(std::span<const uint8_t> img, bool show_secrets);

/// squashfs at `off` inside the part ending at `end`: superblock, bytes_used, full file read.
SquashfsInfo check_squashfs(std::span<const uint8_t> img, uint64_t off, uint64_t end, const std::string& part,
                            bool read_files, const CancelFlag* cancel, std::vector<Problem>& out);

/// JFFS2 nodes in [off, end): header/node/data CRCs, erased space.
Jffs2Info check_jffs2(std::span<const uint8_t> img, uint64_t off, uint64_t end, const std::string& part,
                      std::vector<Problem>& out);
/// Does a JFFS2 node (or cleanmarker) start at `off`, either endianness?
bool looks_like_jffs2(std::span<const uint8_t> img, uint64_t off);

/// UBI in [off, end): EC/VID header CRCs of every PEB, the volume table, each volume rebuilt from
/// its LEBs (static volumes' data CRCs) and its content checked like a raw part (env, squashfs,
/// uImage, UBIFS node CRCs). inspect_ubi.cpp + inspect_ubi_volumes.cpp.
UbiInfo check_ubi(std::span<const uint8_t> img, uint64_t off, uint64_t end, const std::string& part,
                  const InspectOptions& opt, std::vector<Problem>& out);

/// CRC7 of the Ingenic SPL (poly x^7+x^3+1, MSB first), continuing from `crc`.
uint8_t ingenic_crc7(std::span<const uint8_t> d, uint8_t crc = 0);
/// SPL header checks the boot ROM makes (flavour, length, CRC7); fills b.spl_*.
void check_spl(std::span<const uint8_t> img, uint64_t boot_end, BootInfo& b, std::vector<Problem>& out);
/// The U-Boot after the SPL: uImage CRCs and its lzop/gzip/lzma payload decoded (b.uboot_image),
/// or a raw u-boot.bin found by its banner (b.uboot_raw).
void check_uboot(std::span<const uint8_t> img, uint64_t boot_end, BootInfo& b, const CancelFlag* cancel,
                 std::vector<Problem>& out);
/// A kernel/firmware uImage's compressed payload decoded to its end (sets u.payload).
std::optional<PayloadCheck> check_kernel_payload(std::span<const uint8_t> img, UImageInfo& u, const std::string& part,
                                                 const CancelFlag* cancel, std::vector<Problem>& out);
/// A bare gzip/xz/lzma stream at `off` (a kernel without a uImage header), decoded to its end.
std::optional<PayloadCheck> check_bare_payload(std::span<const uint8_t> img, uint64_t off, uint64_t end,
                                               const std::string& part, const CancelFlag* cancel,
                                               std::vector<Problem>& out);
/// Sets p.proof / p.proof_detail from what the checks found (inspect_proof.cpp).
void assign_proof(PartReport& p, const InspectReport& r);

/// SPL header, U-Boot version strings, SoC, U-Boot uImage, searched in [0, boot_end).
BootInfo inspect_boot(std::span<const uint8_t> img, uint64_t boot_end);

/// The layout to check against: from opt.layout, the env's mtdparts, bootargs, "mtdparts=" anywhere
/// in the image, else inferred from signatures. Parts carry name/offset/size/whole_chip/overlapping.
struct LayoutChoice {
  LayoutInfo info;
  std::vector<PartReport> parts;  ///< offset order
};
LayoutChoice choose_layout(std::span<const uint8_t> img, const std::vector<EnvBlock>& envs, const InspectOptions& opt,
                           std::vector<Problem>& out);
/// "Thingino (e08b02942, current)", "stock Ingenic", "OpenIPC" or "" for these parts.
std::string known_layout_name(const std::vector<PartReport>& parts);

}  // namespace camdump::image::detail
