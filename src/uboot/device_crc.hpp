// SPDX-License-Identifier: MIT
// Asking the device for a crc32 (U-Boot cmd/mem.c `crc32 addr len`, docs/reference/uboot-console.md)
// over a console whose replies line noise can garble: one function with a policy (how often to ask
// for a readable reply, and whether a reply that differs from an expected value is asked again
// before it is believed) instead of a "try N times" loop per route. A console reset is not handled
// here: UbootSession::crc32 throws ConsoleLost, and the route's guard re-attaches.
#pragma once
#include <cstdint>
#include <optional>

namespace camdump::uboot {

class UbootSession;

struct Crc32Policy {
  /// Asks for a readable reply (an unreadable one is noise: ask again).
  unsigned tries = 4;
  /// Agreement rule. Unset: the first readable reply is the answer. Set: a readable reply that
  /// differs from it may be noise in the digits, so it is asked again up to `rechecks` more times
  /// (each with `tries` asks); the first reply equal to it wins, else the last readable one.
  std::optional<uint32_t> expect;
  unsigned rechecks = 0;
};

/// A staged chunk's CRC: four asks for a readable reply (the UART/SD routes).
inline constexpr Crc32Policy kChunkCrc{};
/// The two halves of a chunk being repaired: three asks each (dump/md_reader).
inline constexpr Crc32Policy kHalfCrc{.tries = 3, .expect = std::nullopt, .rechecks = 0};
/// A TFTP chunk: two asks (the bytes themselves come over the network, not the console).
inline constexpr Crc32Policy kTftpCrc{.tries = 2, .expect = std::nullopt, .rechecks = 0};
/// One more ask, when the reply itself may have been the damaged part (dump/md_reader).
inline constexpr Crc32Policy kOnceCrc{.tries = 1, .expect = std::nullopt, .rechecks = 0};
/// The whole image against the file's CRC: three asks, and a differing reply asked twice more.
inline Crc32Policy whole_image_crc(uint32_t expect) { return {.tries = 3, .expect = expect, .rechecks = 2}; }

/// The device's crc32 of [addr, addr+len) by `policy`; nullopt when no readable reply came.
/// Throws ConsoleLost (from the session) when the console is lost.
std::optional<uint32_t> device_crc32(UbootSession& s, uint64_t addr, uint64_t len, const Crc32Policy& policy);

/// As device_crc32, but no readable reply is Error(Protocol) naming the range.
uint32_t require_device_crc32(UbootSession& s, uint64_t addr, uint64_t len, const Crc32Policy& policy);

}  // namespace camdump::uboot
