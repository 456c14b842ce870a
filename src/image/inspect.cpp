// SPDX-License-Identifier: MIT
// The inspector's driver (see inspect.hpp): image-level checks (size, mirror, blank/zero
// ranges, docs/reference/field-behaviour.md#checks), then boot, envs, layout and one checker per part, and the
// short summary every dump prints.
#include "image/inspect.hpp"

#include <algorithm>
#include <optional>
#include <cctype>
#include <cstring>

#include <fmt/format.h>

#include "core/size.hpp"
#include "image/inspect_checks.hpp"
#include "image/inspect_util.hpp"

namespace camdump::image {
namespace {

using namespace detail;

constexpr uint64_t kMiB = 1 << 20;

bool is_flash_size(uint64_t n) {
  for (uint64_t m = 1; m <= 256; m *= 2)
    if (n == m * kMiB) return m >= 4 || n == 2 * kMiB || n == kMiB;
  return false;
}

// Runs of 4 KiB blocks that are all `v`, at least 64 KiB long.
std::vector<ByteRange> runs_of(std::span<const uint8_t> img, uint8_t v) {
  std::vector<ByteRange> out;
  const uint64_t blk = 0x1000;
  uint64_t start = ~0ull;
  auto close = [&](uint64_t at) {
    if (start != ~0ull && at - start >= 0x10000) out.push_back({start, at - start});
    start = ~0ull;
  };
  for (uint64_t off = 0; off < img.size(); off += blk) {
    if (all_bytes(sub(img, off, blk), v)) {
      if (start == ~0ull) start = off;
    } else {
      close(off);
    }
  }
  close(img.size());
  return out;
}

std::optional<uint64_t> find_mirror(std::span<const uint8_t> img) {
  std::optional<uint64_t> best;
  for (uint64_t period = img.size() / 2; period >= 0x10000 && img.size() % period == 0; period /= 2) {
    bool same = true;
    for (uint64_t at = period; at < img.size() && same; at += period)
      same = std::memcmp(img.data(), img.data() + at, period) == 0;
    if (!same) break;
    best = period;
  }
  return best;
}

bool named(const PartReport& p, std::initializer_list<const char*> names) {
  for (const char* n : names)
    if (p.name == n) return true;
  return false;
}

std::string squashfs_summary(const SquashfsInfo& q, uint64_t part_size) {
  std::string s = fmt::format("squashfs {} (compression {}), {} used of {}, {} files / {} dirs {}",
                              format_size(q.bytes_used), q.compression, hex(q.bytes_used), hex(part_size), q.files,
                              q.dirs, q.read_ok ? "read ok" : "NOT readable");
  if (q.stored_blocks)
    s += fmt::format(" ({} blocks / {} stored uncompressed)", q.stored_blocks, format_size(q.stored_bytes));
  return s;
}

std::string ubi_summary(const UbiInfo& u) {
  std::string s = fmt::format("UBI, PEB {}, {} EC / {} VID headers ok, {} bad, {} blank PEBs", format_size(u.peb_size),
                              u.ec_headers, u.vid_headers, u.bad_headers, u.blank_pebs);
  for (const auto& v : u.volumes)
    s += fmt::format("; {} ({}): {}", v.name, v.is_static ? "static" : "dynamic", v.summary);
  return s;
}

// The boot part: what inspect_boot found (SPL, U-Boot image or raw banner).
void describe_boot_part(PartReport& p, const InspectReport& r, uint64_t end) {
  p.content = "boot";
  const BootInfo& b = r.boot;
  p.summary = b.ingenic_spl     ? fmt::format("Ingenic SPL ({} bytes, {}, CRC7 {})", b.spl_length, b.spl_flash,
                                          b.spl_crc_ok && *b.spl_crc_ok ? "ok" : "BAD")
              : b.sigmastar_ipl ? "SigmaStar IPL (recognised only)"
                                : "bootloader";
  if (!b.uboot_versions.empty()) p.summary += ", " + b.uboot_versions.back();
  if (b.uboot_image && b.uboot_image->offset < end) {
    p.summary += "; U-Boot " + describe_uimage(*b.uboot_image);
    if (b.uboot_image->payload) p.summary += "; " + describe_payload(*b.uboot_image->payload);
    p.uimage = b.uboot_image;
  } else if (b.uboot_raw) {
    p.summary += fmt::format("; raw U-Boot, banner at {} (no checksum in the format)", hex(*b.uboot_raw));
  }
  // Problems of the SPL and U-Boot were found by check_spl/check_uboot; they mark this part.
  for (const auto& q : r.problems)
    if (q.part == "boot" && q.offset >= p.offset && q.offset < end) p.ok = false;
}

// A part that is none of the above: JFFS2 (maybe after erased blocks), a bare compressed
// payload, or unrecognised data (a problem for kernel, rootfs and env parts).
void describe_other_part(std::span<const uint8_t> img, PartReport& p, uint64_t end, const InspectOptions& opt,
                         std::vector<Problem>& out) {
  // JFFS2 may start after erased blocks: look at the first non-0xff word.
  uint64_t first = p.offset;
  while (first + 4 <= end && rd_le32(img.data() + first) == 0xffffffffu) first += 4;
  if (looks_like_jffs2(img, first)) {
    p.content = "jffs2";
    p.jffs2 = check_jffs2(img, p.offset, end, p.name, out);
    const auto& j = *p.jffs2;
    p.summary = fmt::format("JFFS2 {}: {} good / {} bad nodes, {} in nodes, {} erased{}", j.big_endian ? "BE" : "LE",
                            j.good_nodes, j.bad_nodes, format_size(j.used_bytes), format_size(j.erased_bytes),
                            j.erase_size ? fmt::format(", erase block {}", format_size(j.erase_size)) : "");
  } else {
    p.content = "data";
    p.summary = fmt::format("unrecognised data ({} blank)", format_size(p.blank_bytes));
    if (auto pl = check_bare_payload(img, first, end, p.name, opt.cancel, out)) {
      p.content = "payload";  // a kernel without a uImage header (raw zImage-style payload)
      p.summary = fmt::format("bare {} at {}: {}", payload_format_name(pl->format), hex(first), describe_payload(*pl));
    } else if (named(p, {"kernel"}))
      out.push_back({p.name, p.offset, fmt::format("no uImage header at {}", hex(p.offset))});
    else if (named(p, {"rootfs"}))
      out.push_back({p.name, p.offset, fmt::format("no squashfs/UBI/JFFS2 at {}", hex(p.offset))});
    else if (named(p, {"env"}))
      out.push_back({p.name, p.offset, fmt::format("no U-Boot environment at {}", hex(p.offset))});
  }
}

void check_part(std::span<const uint8_t> img, PartReport& p, const InspectReport& r, const InspectOptions& opt,
                std::vector<Problem>& out) {
  const size_t before = out.size();
  if (p.offset >= img.size()) {
    p.content = "missing";
    p.summary = "beyond the end of the image";
    out.push_back({p.name, p.offset,
                   fmt::format("missing: the part {}..{} lies beyond the image end ({})", hex(p.offset),
                               hex(p.offset + p.size), hex(img.size()))});
    p.ok = false;
    return;
  }
  if (p.offset + p.size > img.size())
    out.push_back({p.name, img.size(),
                   fmt::format("cut off: the part ends at {} but the image ends at {}", hex(p.offset + p.size),
                               hex(img.size()))});
  const uint64_t end = std::min<uint64_t>(p.offset + p.size, img.size());
  auto d = sub(img, p.offset, end - p.offset);
  p.blank_bytes = count_byte(d, 0xff);
  const bool essential = named(p, {"boot", "kernel", "rootfs", "uboot", "u-boot"});
  const EnvBlock* env = nullptr;
  for (const auto& e : r.envs)
    if (e.offset == p.offset) env = &e;
  const uint8_t* s = d.data();
  if (p.blank_bytes == d.size()) {
    p.content = "blank";
    p.summary = "blank (all 0xff)";
    if (essential) out.push_back({p.name, p.offset, fmt::format("blank: all 0xff from {}", hex(p.offset))});
  } else if (all_bytes(d, 0)) {
    p.content = "zero";
    p.summary = "all 0x00";
    if (essential || named(p, {"env"}))
      out.push_back({p.name, p.offset, fmt::format("all zero from {} (failed read?)", hex(p.offset))});
  } else if (env) {
    p.content = "env";
    p.summary = fmt::format("U-Boot env {} {}, {} variables, CRC {}", env->redundant ? "redundant" : "single",
                            format_size(env->size), env->vars.size(), env->crc_ok ? "ok" : "BAD");
  } else if (auto u = check_uimage(img, p.offset, end)) {
    p.content = "uimage";
    check_kernel_payload(img, *u, p.name, opt.cancel, out);
    p.summary = describe_uimage(*u);
    if (u->payload) p.summary += "; " + describe_payload(*u->payload);
    uimage_problems(*u, p.name, out);
    p.uimage = *u;
  } else if (d.size() >= 4 && rd_le32(s) == 0x73717368u) {
    p.content = "squashfs";
    p.squashfs = check_squashfs(img, p.offset, end, p.name, opt.read_files, opt.cancel, out);
    p.summary = squashfs_summary(*p.squashfs, p.size);
  } else if (d.size() >= 4 && rd_be32(s) == 0x55424923u) {
    p.content = "ubi";
    p.ubi = check_ubi(img, p.offset, end, p.name, opt, out);
    p.summary = ubi_summary(*p.ubi);
  } else if (p.offset == 0 || named(p, {"boot", "uboot", "u-boot", "spl"})) {
    describe_boot_part(p, r, end);
    if (!p.ok) return;
  } else {
    describe_other_part(img, p, end, opt, out);
  }
  p.ok = out.size() == before;
}

}  // namespace

namespace {

// Problems of the image as a whole. Returns what to look at further (the first copy of a
// mirrored read), or nullopt when there is nothing to look at (empty, all 0xff or all 0x00).
std::optional<std::span<const uint8_t>> check_whole_image(std::span<const uint8_t> image, InspectReport& r) {
  auto& out = r.problems;
  if (image.empty()) {
    out.push_back({"image", 0, "empty file"});
    return std::nullopt;
  }
  r.blank = runs_of(image, 0xff);
  r.zero = runs_of(image, 0x00);
  if (all_bytes(image, 0xff) || all_bytes(image, 0x00)) {
    out.push_back({"image", 0,
                   fmt::format("all 0x{:02x}: nothing was read (blank chip, or the clip/wiring "
                               "failed)",
                               image[0])});
    return std::nullopt;
  }
  if (image.size() >= 16 && all_bytes(image.first(16), image[0]))
    out.push_back({"image", 0,
                   fmt::format("the first 16 bytes are all 0x{:02x}: a bad read (check the clip "
                               "and wiring) or a wiped boot area",
                               image[0])});
  if (!r.flash_size)
    out.push_back({"image", r.size,
                   fmt::format("size {} ({}) is not a flash size (4/8/16/32/64 MiB): "
                               "truncated or padded?",
                               r.size, format_size(r.size))});
  if ((r.mirror_of = find_mirror(image))) {
    out.push_back({"image", *r.mirror_of,
                   fmt::format("the content repeats every {}: a {} chip read as {} (keep the first {})",
                               format_size(*r.mirror_of), format_size(*r.mirror_of), format_size(r.size),
                               format_size(*r.mirror_of))});
    return image.first(size_t(*r.mirror_of));
  }
  return image;
}

// An env inside a UBI volume (Thingino SPI-NAND `uboot-env`) is checked with its volume; as a raw
// find it would split the UBI area when the layout is inferred.
void drop_envs_in_ubi(std::vector<EnvBlock>& envs, std::span<const uint8_t> view) {
  std::erase_if(envs, [&](const EnvBlock& e) {
    for (uint64_t peb = 0x10000; peb <= 0x80000; peb *= 2)
      if (const uint64_t at = e.offset & ~(peb - 1);
          at != e.offset && at + 4 <= view.size() && rd_be32(view.data() + at) == 0x55424923u)
        return true;
    return false;
  });
}

// The boot area (SPL, U-Boot) and the SoC, from the boot code or else an env's `soc`.
void check_boot_area(std::span<const uint8_t> view, InspectReport& r, const InspectOptions& opt) {
  uint64_t boot_end = 0x100000;
  for (const auto& p : r.parts)
    if (p.name == "boot" && p.offset == 0) boot_end = p.size;
  r.boot = inspect_boot(view, boot_end);
  check_spl(view, boot_end, r.boot, r.problems);
  check_uboot(view, boot_end, r.boot, opt.cancel, r.problems);
  if (r.boot.soc.empty())
    for (const auto& e : r.envs)
      if (const std::string* soc = e.get("soc"); soc && !soc->empty()) {
        r.boot.soc = *soc;
        for (char& c : r.boot.soc) c = char(std::toupper(static_cast<unsigned char>(c)));
        break;
      }
}

void check_parts(std::span<const uint8_t> view, InspectReport& r, const InspectOptions& opt) {
  for (auto& p : r.parts) {
    check_cancel(opt.cancel);
    if (p.overlapping) {
      p.content = p.whole_chip ? "whole-chip" : "overlapping";
      p.summary = p.whole_chip ? "the whole flash" : "overlaps other parts (not checked on its own)";
      if (p.whole_chip && p.size != r.size && !r.mirror_of)
        r.problems.push_back(
            {"image", std::min(p.size, r.size),
             fmt::format("size {} but the layout's whole-chip part '{}' is {}: {}", hex(r.size), p.name, hex(p.size),
                         p.size > r.size ? "the image is truncated" : "extra bytes")});
      continue;
    }
    check_part(view, p, r, opt, r.problems);
  }
}

// An env that fails its CRC is a problem of the part holding it.
void check_env_crcs(InspectReport& r) {
  for (const auto& e : r.envs) {
    if (e.crc_ok) continue;
    std::string part = "env";
    for (const auto& p : r.parts)
      if (!p.overlapping && e.offset >= p.offset && e.offset < p.offset + p.size) part = p.name;
    r.problems.push_back({part, e.offset,
                          fmt::format("U-Boot environment at {} fails its CRC (no size from 4 KiB to "
                                      "256 KiB matches; {} variables readable)",
                                      hex(e.offset), e.vars.size())});
    for (auto& p : r.parts)
      if (p.name == part) p.ok = false;
  }
}

}  // namespace

InspectReport inspect(std::span<const uint8_t> image, const InspectOptions& opt) {
  InspectReport r;
  r.size = image.size();
  r.flash_size = is_flash_size(r.size);
  const auto view = check_whole_image(image, r);
  if (!view) return r;
  check_cancel(opt.cancel);
  r.envs = find_envs(*view, opt.show_secrets);
  drop_envs_in_ubi(r.envs, *view);
  auto layout = choose_layout(*view, r.envs, opt, r.problems);
  r.layout = layout.info;
  r.parts = std::move(layout.parts);
  check_boot_area(*view, r, opt);
  check_parts(*view, r, opt);
  check_env_crcs(r);
  for (auto& p : r.parts) assign_proof(p, r);
  auto key = [](const Problem& p) { return std::pair(p.part != "image", p.offset); };
  std::stable_sort(r.problems.begin(), r.problems.end(),
                   [&](const Problem& a, const Problem& b) { return key(a) < key(b); });
  return r;
}

std::string short_summary(const InspectReport& r) {
  std::string s;
  if (r.ok()) {
    s = fmt::format("inspect: OK {}", format_size(r.size));
    if (!r.layout.known.empty()) s += ", " + r.layout.known;
    if (!r.boot.soc.empty()) s += ", " + r.boot.soc;
    if (r.boot.spl_crc_ok) s += ", SPL crc7 ok";
    if (r.boot.uboot_image && r.boot.uboot_image->payload)
      s += fmt::format(", U-Boot {} ok", payload_format_name(r.boot.uboot_image->payload->format));
    for (const auto& e : r.envs) s += fmt::format(", env@{} crc ok", hex(e.offset));
    for (const auto& p : r.parts) {
      if (p.uimage && p.name != "boot") s += fmt::format(", {} uImage crc ok", p.name);
      if (p.squashfs)
        s += fmt::format(
            ", {} squashfs {} files read{}", p.name, p.squashfs->files,
            p.squashfs->stored_blocks ? fmt::format(" ({} blocks stored, unchecked)", p.squashfs->stored_blocks) : "");
      if (p.jffs2) s += fmt::format(", {} jffs2 {} nodes ok", p.name, p.jffs2->good_nodes);
      if (p.ubi) s += fmt::format(", {} ubi {} PEBs / {} volumes ok", p.name, p.ubi->ec_headers, p.ubi->volumes.size());
    }
    return s;
  }
  s = fmt::format("inspect: {} problem{} in this {} image", r.problems.size(), r.problems.size() == 1 ? "" : "s",
                  format_size(r.size));
  for (const auto& p : r.problems) s += "\ninspect: " + p.text();
  return s;
}

}  // namespace camdump::image
