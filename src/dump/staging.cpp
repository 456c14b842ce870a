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
  if (opt_.mapped) return;
  buffer_ = opt_.buffer ? *opt_.buffer : default_buffer(s_.device_info());
  std::string_view tmpl = opt_.load ? std::string_view(*opt_.load) : kDefaultLoad;
  if (tmpl.starts_with("sf ")) probe_ = s_.sf_probe("0");
}

uint64_t Stager::stage(uint64_t offset, uint64_t len) {
  if (opt_.mapped) return *opt_.mapped + offset;
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
