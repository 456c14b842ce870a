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
std::optional<EnvBlock> parse_env_at(std::span<const uint8_t> img, uint64_t off, uint64_t max_size,
                                     bool show_secrets);
/// Envs at the known Ingenic/Thingino offsets (even with a bad CRC) and, by scanning every 4 KiB,
/// CRC-valid envs elsewhere; sorted by offset.
std::vector<EnvBlock> find_envs(std::span<const uint8_t> img, bool show_secrets);

/// squashfs at `off` inside the part ending at `end`: superblock, bytes_used, full file read.
SquashfsInfo check_squashfs(std::span<const uint8_t> img, uint64_t off, uint64_t end,
                            const std::string& part, bool read_files, const CancelFlag* cancel,
                            std::vector<Problem>& out);

/// JFFS2 nodes in [off, end): header/node/data CRCs, erased space.
Jffs2Info check_jffs2(std::span<const uint8_t> img, uint64_t off, uint64_t end,
                      const std::string& part, std::vector<Problem>& out);
/// Does a JFFS2 node (or cleanmarker) start at `off`, either endianness?
bool looks_like_jffs2(std::span<const uint8_t> img, uint64_t off);

/// UBI EC/VID headers in [off, end).
UbiInfo check_ubi(std::span<const uint8_t> img, uint64_t off, uint64_t end,
                  const std::string& part, std::vector<Problem>& out);

/// SPL header, U-Boot version strings, SoC, U-Boot uImage, searched in [0, boot_end).
BootInfo inspect_boot(std::span<const uint8_t> img, uint64_t boot_end);

/// The layout to check against: from opt.layout, the env's mtdparts, bootargs, "mtdparts=" anywhere
/// in the image, else inferred from signatures. Parts carry name/offset/size/whole_chip/overlapping.
struct LayoutChoice {
  LayoutInfo info;
  std::vector<PartReport> parts;  ///< offset order
};
LayoutChoice choose_layout(std::span<const uint8_t> img, const std::vector<EnvBlock>& envs,
                           const InspectOptions& opt, std::vector<Problem>& out);
/// "Thingino (e08b02942, current)", "stock Ingenic", "OpenIPC" or "" for these parts.
std::string known_layout_name(const std::vector<PartReport>& parts);

}  // namespace camdump::image::detail
