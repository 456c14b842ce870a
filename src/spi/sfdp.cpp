// SPDX-License-Identifier: MIT
#include "spi/sfdp.hpp"

#include <fmt/core.h>

#include "core/size.hpp"

namespace camdump::spi {
namespace {

uint32_t le32(std::span<const uint8_t> b, size_t off) {
  return uint32_t(b[off]) | uint32_t(b[off + 1]) << 8 | uint32_t(b[off + 2]) << 16 | uint32_t(b[off + 3]) << 24;
}

}  // namespace

std::optional<SfdpHeader> parse_sfdp_header(std::span<const uint8_t> b) {
  if (b.size() < 16) return std::nullopt;
  if (le32(b, 0) != 0x50444653) return std::nullopt;  // "SFDP"
  SfdpHeader h;
  h.minor = b[4];
  h.major = b[5];
  h.nph = unsigned(b[6]) + 1;
  if (h.major != 1) return std::nullopt;
  // Parameter header 0 must be the BFPT: ID LSB 0x00 (byte 0), ID MSB 0xFF (byte 7).
  if (b[8] != 0x00 || b[15] != 0xFF) return std::nullopt;
  h.bfpt_dwords = b[11];
  h.bfpt_ptr = uint32_t(b[12]) | uint32_t(b[13]) << 8 | uint32_t(b[14]) << 16;
  if (h.bfpt_dwords < 2) return std::nullopt;
  return h;
}

std::optional<SfdpInfo> parse_bfpt(const SfdpHeader& h, std::span<const uint8_t> t) {
  if (t.size() < 8) return std::nullopt;
  SfdpInfo info;
  info.header = h;
  uint32_t dw1 = le32(t, 0), dw2 = le32(t, 4);
  switch ((dw1 >> 17) & 3) {
    case 0: info.address_bytes = 3; break;
    case 1: info.address_bytes = 34; break;
    case 2: info.address_bytes = 4; break;
    default: info.address_bytes = 3; break;
  }
  if ((dw1 & 3) == 1) info.erase_4k_opcode = uint8_t(dw1 >> 8);
  if (dw2 & 0x80000000u) {
    uint32_t exp = dw2 & 0x7FFFFFFFu;
    if (exp >= 3 && exp <= 63) info.size = (uint64_t(1) << exp) / 8;
  } else {
    info.size = (uint64_t(dw2) + 1) / 8;
  }
  return info;
}

std::string SfdpInfo::summary() const {
  std::string r =
      fmt::format("SFDP {}.{}, {}", header.major, header.minor, size ? format_size(size) : std::string("no density"));
  r += address_bytes == 34 ? ", 3- or 4-byte addressing" : fmt::format(", {}-byte addressing", address_bytes);
  if (erase_4k_opcode) r += fmt::format(", 4K erase 0x{:02X}", *erase_4k_opcode);
  return r;
}

}  // namespace camdump::spi
