// SPDX-License-Identifier: MIT
#include "dump/staging.hpp"

#include <fmt/format.h>

#include "core/size.hpp"

namespace camdump::dump {

std::string expand_template(std::string_view tmpl, uint64_t addr, uint64_t offset, uint64_t len) {
  std::string out;
  size_t pos = 0;
  while (pos < tmpl.size()) {
    size_t open = tmpl.find('{', pos);
    if (open == std::string_view::npos) {
      out.append(tmpl.substr(pos));
      break;
    }
    out.append(tmpl.substr(pos, open - pos));
    size_t close = tmpl.find('}', open);
    if (close == std::string_view::npos) fail(ErrorKind::Usage, "--load: unclosed '{' in template");
    std::string_view key = tmpl.substr(open + 1, close - open - 1);
    uint64_t add = 0;
    if (size_t plus = key.find('+'); plus != std::string_view::npos) {
      auto v = parse_hex(key.substr(plus + 1).starts_with("0x") ? key.substr(plus + 3) : key.substr(plus + 1));
      if (!v) fail(ErrorKind::Usage, fmt::format("--load: bad hex number in '{{{}}}'", key));
      add = *v;
      key = key.substr(0, plus);
    }
    uint64_t v;
    if (key == "addr") v = addr;
    else if (key == "offset") v = offset;
    else if (key == "len") v = len;
    else
      fail(ErrorKind::Usage, fmt::format("--load: unknown placeholder '{{{}}}'", key),
           "use {addr}, {offset}, {len}, or {offset+HEX} for a flash base address");
    out += fmt::format("{:x}", v + add);
    pos = close + 1;
  }
  return out;
}

uint64_t default_buffer(const uboot::DeviceInfo& info) {
  // qemu_arm virt: RAM from 0x40000000, U-Boot at its top; test images sit at 0x42000000.
  if (info.console_uart == "pl011@9000000") return 0x44000000;
  // Ingenic T-series (and MIPS boards generally): RAM at kseg0 0x80000000. 0x80600000 is the
  // stock/OpenIPC baseaddr and lies below the 32 MiB malloc arena of a 64 MiB T31 (0x81f8c000).
  if (info.ingenic || info.arch == "mips") return 0x80600000;
  if (info.dram_start) return *info.dram_start + 0x600000;
  return 0x80600000;
}

Stager::Stager(uboot::UbootSession& s, StagingOptions opt) : s_(s), opt_(std::move(opt)) {}

void Stager::prepare() {
  if (!ceiling_known_) {
    // Once per run: a reset does not move U-Boot. bdinfo is read again here because the
    // session keeps only its RAM facts, not `bd address`/`boot_params`.
    const uboot::DeviceInfo& info = s_.device_info();
    ceiling_ = staging_ceiling(info, "");
    if ((!ceiling_ || !ceiling_->why.starts_with("boot log")) && s_.has_command("bdinfo")) {
      // Two readings must agree (a digit damaged by line noise must not move the bound); a
      // third decides, else what is known without bdinfo stands.
      auto read = [&] {
        std::string bd;
        for (const auto& l : s_.run("bdinfo")) bd += l + "\n";
        return staging_ceiling(info, bd);
      };
      auto same = [](const std::optional<RamCeiling>& a, const std::optional<RamCeiling>& b) {
        return a.has_value() == b.has_value() && (!a || a->ceiling == b->ceiling);
      };
      auto a = read(), b = read();
      if (same(a, b)) ceiling_ = a;
      else if (auto c = read(); same(a, c) || same(b, c)) ceiling_ = c;
    }
    ceiling_known_ = true;
    if (ceiling_)
      s_.reporter().log(LogLevel::Info, fmt::format("staging stays below 0x{:x}, under U-Boot's reserved area ({})",
                                                    ceiling_->ceiling, ceiling_->why));
    else
      s_.reporter().log(LogLevel::Warn,
                        "U-Boot's reserved area is unknown (no boot log, bdinfo or known SoC): "
                        "staging areas are not bounded; keep --chunk small");
  }
  if (opt_.mapped) return;
  buffer_ = opt_.buffer ? *opt_.buffer : default_buffer(s_.device_info());
  check_area(buffer_, 1, "the staging buffer (--buffer)");
  std::string_view tmpl = opt_.load ? std::string_view(*opt_.load) : kDefaultLoad;
  if (tmpl.starts_with("sf ")) probe_ = s_.sf_probe("0");
}

bool Stager::fits(uint64_t addr, uint64_t len) const {
  if (!ceiling_) return true;
  const uboot::DeviceInfo& info = s_.device_info();
  const uint64_t a = ram_view(info, addr), c = ram_view(info, ceiling_->ceiling);
  return a < c && len <= c - a;
}

void Stager::check_area(uint64_t addr, uint64_t len, std::string_view what) const {
  if (fits(addr, len)) return;
  fail(ErrorKind::Usage,
       fmt::format("{} 0x{:x}..0x{:x} would reach U-Boot's reserved area from 0x{:x} ({}); writing there "
                   "corrupts the running U-Boot",
                   what, addr, addr + len - 1, ceiling_->ceiling, ceiling_->why),
       !fits(addr, 1) ? "give a --buffer (and --readback) below that address, e.g. the default"
                      : "use a smaller --chunk, or a lower --buffer");
}

uint64_t Stager::fit_chunk(uint64_t want, uint64_t align, uint64_t from, uint64_t (*areas)(uint64_t),
                           std::string_view option) const {
  if (fits(from, areas(want))) return want;
  uint64_t c = want / align * align;
  // Largest multiple of 1 MiB (of `align` below 1 MiB) that fits: the chunks stay round.
  const uint64_t step = align < (1u << 20) && (1u << 20) % align == 0 ? (1u << 20) : align;
  c = c / step * step;
  while (c >= step && !fits(from, areas(c))) c -= step;
  if (c < step) {
    c = std::min(want, step) / align * align;
    while (c >= align && !fits(from, areas(c))) c -= align;
  }
  if (c < align)
    fail(ErrorKind::Usage,
         fmt::format("no room for even {} bytes at 0x{:x} below U-Boot's reserved area from 0x{:x} ({})", align, from,
                     ceiling_->ceiling, ceiling_->why),
         "give a lower --buffer (or --readback), e.g. the default");
  s_.reporter().log(
      LogLevel::Warn,
      fmt::format("{} {} does not fit between 0x{:x} and U-Boot's reserved area at 0x{:x} ({}): the flash "
                  "is read in chunks of {} instead",
                  option, format_size(want), from, ceiling_->ceiling, ceiling_->why, format_size(c)));
  return c;
}

uint64_t Stager::stage(uint64_t offset, uint64_t len) {
  if (opt_.mapped) return *opt_.mapped + offset;
  check_area(buffer_, len, "the staging area");
  std::string cmd = expand_template(opt_.load ? *opt_.load : std::string(kDefaultLoad), buffer_, offset, len);
  auto lines = s_.run(cmd, std::chrono::milliseconds(10000));
  std::string_view tmpl = opt_.load ? std::string_view(*opt_.load) : kDefaultLoad;
  if (tmpl.starts_with("sf ")) {
    auto ok = uboot::parse_sf_read(lines);
    if (ok && !*ok) {
      std::string why;
      for (const auto& l : lines) why += (why.empty() ? "" : " / ") + l;
      fail(ErrorKind::Protocol, fmt::format("'{}' failed: {}", cmd, why),
           "check --offset/--length against the flash size");
    }
  } else {
    for (const auto& l : lines)
      if (l.find("Unknown command") != std::string::npos || l.find("Usage:") != std::string::npos)
        fail(ErrorKind::Usage, fmt::format("--load command '{}' was refused: {}", cmd, l));
  }
  return buffer_;
}

uint64_t detect_flash_size(Stager& stager, uboot::UbootSession& s, std::optional<uint64_t> given) {
  (void)s;
  if (given) return *given;
  if (stager.probe() && stager.probe()->size) return *stager.probe()->size;
  if (stager.probe())
    fail(ErrorKind::Usage, "sf probe did not tell the flash size (chip '" + stager.probe()->name + "')",
         "give --flash-size (8M, 16M, 32M)");
  fail(ErrorKind::Usage, "the flash size is unknown without sf probe", "give --flash-size or --length");
}

}  // namespace camdump::dump
