// SPDX-License-Identifier: MIT
// Which partition layout to check a dump against: mtdparts from the option, the env (mtdparts
// variable, then bootargs), any "mtdparts=" text in the image, else one inferred from the
// signatures at 64 KiB boundaries. Known layouts are named from the Thingino Makefile history,
// uboot-ingenic and OpenIPC facts (docs/reference/mtd-and-layouts.md#mtdparts and #thingino).
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "core/mtd_layout.hpp"
#include "core/size.hpp"
#include "image/inspect_checks.hpp"
#include "image/inspect_util.hpp"

namespace camdump::image::detail {
namespace {

constexpr uint64_t k64K = 0x10000;

std::vector<PartReport> from_mtd(MtdLayout lay, uint64_t image_size) {
  bool has_fill = std::any_of(lay.parts.begin(), lay.parts.end(), [](const MtdPart& p) { return p.fill; });
  if (has_fill) {
    try {
      lay.resolve_fill(image_size);
    } catch (const Error&) {  // parts already exceed the image: reported as missing/cut off later
    }
  }
  lay.assign_offsets();
  auto whole = lay.whole_chip();
  auto tiling = lay.tiling();
  std::vector<PartReport> parts;
  for (size_t i = 0; i < lay.parts.size(); ++i) {
    const MtdPart& m = lay.parts[i];
    PartReport p;
    p.name = m.name.empty() ? fmt::format("mtd{}", m.index) : m.name;
    p.offset = m.offset.value_or(0);
    p.size = m.size;
    p.whole_chip = whole && *whole == i;
    p.overlapping = p.whole_chip || std::find(tiling.begin(), tiling.end(), i) == tiling.end();
    parts.push_back(std::move(p));
  }
  std::stable_sort(parts.begin(), parts.end(),
                   [](const PartReport& a, const PartReport& b) { return a.offset < b.offset; });
  return parts;
}

std::optional<MtdLayout> try_parse(std::string_view text, const std::string& where, std::vector<Problem>& out) {
  try {
    auto lay = parse_mtdparts(text);
    if (lay.parts.empty()) return std::nullopt;
    return lay;
  } catch (const Error& e) {
    out.push_back({"layout", 0, fmt::format("mtdparts in {} does not parse: {}", where, e.what())});
    return std::nullopt;
  }
}

std::vector<PartReport> infer(std::span<const uint8_t> img, const std::vector<EnvBlock>& envs) {
  struct Sig {
    uint64_t off;
    std::string name;
  };
  std::vector<Sig> sigs;
  for (const auto& e : envs)
    if (e.offset >= k64K / 2) sigs.push_back({e.offset, "env"});
  auto in_env = [&](uint64_t off) -> const EnvBlock* {
    for (const auto& e : envs)
      if (off >= e.offset && off < e.offset + e.size) return &e;
    return nullptr;
  };
  std::string last;
  uint64_t pos = k64K;
  while (pos + 64 <= img.size()) {
    if (const EnvBlock* e = in_env(pos)) {
      pos = (e->offset + e->size + k64K - 1) / k64K * k64K;
      last = "env";
      continue;
    }
    const uint8_t* p = img.data() + pos;
    uint64_t next = pos + k64K;
    std::string name;
    if (auto u = check_uimage(img, pos, img.size()); u && u->header_crc_ok) {
      name = u->type == 2 ? "kernel" : "firmware";
      next = std::max(next, (pos + 64 + u->size + k64K - 1) / k64K * k64K);
    } else if (rd_le32(p) == 0x73717368u && rd_le16(p + 28) == 4) {
      name = "rootfs";
      next = std::max(next, (pos + rd_le64(p + 40) + k64K - 1) / k64K * k64K);
    } else if (rd_be32(p) == 0x55424923u) {
      name = "ubi";
    } else if (looks_like_jffs2(img, pos)) {
      name = "data";
    }
    if (!name.empty() && !((name == "data" || name == "ubi") && last == name)) sigs.push_back({pos, name});
    if (!name.empty()) last = name;
    pos = next;
  }
  std::sort(sigs.begin(), sigs.end(), [](const Sig& a, const Sig& b) { return a.off < b.off; });
  std::vector<PartReport> parts;
  PartReport boot;
  boot.name = "boot";
  boot.size = sigs.empty() ? img.size() : sigs.front().off;
  parts.push_back(boot);
  std::set<std::string> used{"boot"};
  for (size_t i = 0; i < sigs.size(); ++i) {
    PartReport p;
    p.name = sigs[i].name;
    for (int n = 2; used.count(p.name); ++n) p.name = fmt::format("{}{}", sigs[i].name, n);
    used.insert(p.name);
    p.offset = sigs[i].off;
    p.size = (i + 1 < sigs.size() ? sigs[i + 1].off : img.size()) - p.offset;
    parts.push_back(std::move(p));
  }
  return parts;
}

}  // namespace

LayoutChoice choose_layout(std::span<const uint8_t> img, const std::vector<EnvBlock>& envs, const InspectOptions& opt,
                           std::vector<Problem>& out) {
  LayoutChoice c;
  auto use = [&](const MtdLayout& lay, const char* source, std::string text) {
    c.info.source = source;
    c.info.mtdparts = std::move(text);
    c.parts = from_mtd(lay, img.size());
  };
  if (opt.layout) {
    MtdLayout lay;
    try {
      lay = parse_mtdparts(*opt.layout);
    } catch (const Error& e) {
      fail(ErrorKind::Usage, fmt::format("--layout: {}", e.what()),
           "give it as mtdparts=jz_sfc:256k(boot),64k(env),...");
    }
    use(lay, "option", *opt.layout);
  }
  for (const auto& e : envs) {  // CRC-valid envs first
    if (!c.parts.empty()) break;
    if (!e.crc_ok) continue;
    if (const std::string* v = e.get("mtdparts"); v && v->find(':') != std::string::npos)
      if (auto lay = try_parse(*v, fmt::format("the env at {}", hex(e.offset)), out))
        use(*lay, "env", v->rfind("mtdparts=", 0) == 0 ? *v : "mtdparts=" + *v);
    if (const std::string* v = e.get("bootargs"); c.parts.empty() && v)
      if (auto m = find_mtdparts(*v))
        if (auto lay = try_parse(*m, fmt::format("bootargs at {}", hex(e.offset)), out))
          use(*lay, "bootargs", std::string(*m));
  }
  if (c.parts.empty()) {
    std::string_view text(reinterpret_cast<const char*>(img.data()), img.size());
    for (size_t at = text.find("mtdparts="); at != std::string_view::npos; at = text.find("mtdparts=", at + 9)) {
      std::vector<Problem> ignored;  // format strings in U-Boot ("mtdparts=%s") are not layouts
      auto m = find_mtdparts(text.substr(at, 512));
      if (!m) continue;
      if (auto lay = try_parse(*m, "the image", ignored); lay && lay->parts.size() >= 2) {
        use(*lay, "image", std::string(*m));
        break;
      }
    }
  }
  if (c.parts.empty()) {
    c.info.source = "inferred";
    c.parts = infer(img, envs);
  }
  c.info.known = known_layout_name(c.parts);
  return c;
}

std::string known_layout_name(const std::vector<PartReport>& parts) {
  auto find = [&](std::string_view n) -> const PartReport* {
    for (const auto& p : parts)
      if (p.name == n) return &p;
    return nullptr;
  };
  const PartReport *boot = find("boot"), *env = find("env"), *kernel = find("kernel");
  if (find("rootfs_data")) return "OpenIPC";
  for (const char* vendor : {"appfs", "user", "factory", "root", "kernel2", "rootfs2", "mtd_rw", "tag", "system"})
    if (find(vendor)) return "stock Ingenic";
  if (!boot || boot->offset != 0) return "";
  if (boot->size == uint64_t{320} * 1024) {
    if (kernel && kernel->offset == 0x70000 && kernel->size == 0x190000 && find("backup"))
      return "Thingino (e08b02942, current: backup, fixed 1600k kernel)";
    if (kernel && kernel->offset == 0x60000) return "Thingino (3b7997b46, 2026-06..08)";
    if (find("config")) return "Thingino (1bb69816b/a935850e0, 2026-05..06)";
    return "Thingino (320k boot)";
  }
  if (boot->size == uint64_t{256} * 1024) {
    if (env && env->offset == 0x40000 && env->size == 0x8000 && find("config"))
      return "Thingino (c9a789a35, 2025-02..2026-05)";
    if (env && env->offset == 0x40000 && kernel && kernel->offset == 0x50000) return "Thingino (4e20b34d8, 2024)";
    if (kernel && kernel->offset == 0x40000) return "stock Ingenic";
  }
  return "";
}

}  // namespace camdump::image::detail
