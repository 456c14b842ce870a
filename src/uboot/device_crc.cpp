// SPDX-License-Identifier: MIT
#include "uboot/device_crc.hpp"

#include <fmt/core.h>

#include "core/error.hpp"
#include "uboot/session.hpp"

namespace camdump::uboot {
namespace {

std::optional<uint32_t> readable_reply(UbootSession& s, uint64_t addr, uint64_t len, unsigned tries) {
  std::optional<uint32_t> c;
  for (unsigned k = 0; k < tries && !c; ++k) c = s.crc32(addr, len);
  return c;
}

}  // namespace

std::optional<uint32_t> device_crc32(UbootSession& s, uint64_t addr, uint64_t len, const Crc32Policy& policy) {
  std::optional<uint32_t> last;
  const unsigned rounds = policy.expect ? policy.rechecks + 1 : 1;
  for (unsigned r = 0; r < rounds; ++r) {
    if (auto c = readable_reply(s, addr, len, policy.tries)) {
      last = c;
      if (!policy.expect || *c == *policy.expect) return c;
    }
  }
  return last;
}

uint32_t require_device_crc32(UbootSession& s, uint64_t addr, uint64_t len, const Crc32Policy& policy) {
  if (auto c = device_crc32(s, addr, len, policy)) return *c;
  fail(ErrorKind::Protocol, fmt::format("no readable crc32 reply for 0x{:x} + 0x{:x}", addr, len),
       "the console line is too noisy: lower the baud rate or shorten the wires, then run again");
}

}  // namespace camdump::uboot
