// SPDX-License-Identifier: MIT
#include "spi/jedec_id.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <array>

#include "spi/chip_table.hpp"

namespace camdump::spi {
namespace {

const ChipInfo* match_any(uint8_t a, uint8_t b, uint8_t c) {
  std::array<uint8_t, 3> id{a, b, c};
  if (auto* n = find_nor_by_id(id)) return n;
  return nullptr;
}

}  // namespace

bool id_is_blank(std::span<const uint8_t> id) {
  return !id.empty() && (std::all_of(id.begin(), id.end(), [](uint8_t b) { return b == 0; }) ||
                         std::all_of(id.begin(), id.end(), [](uint8_t b) { return b == 0xFF; }));
}

std::vector<std::string> wiring_warnings(std::span<const uint8_t> id) {
  std::vector<std::string> w;
  if (id.size() < 3) return w;
  if (std::all_of(id.begin(), id.end(), [](uint8_t b) { return b == 0; })) {
    w.push_back(
        "ID is all 0x00: MISO (flash pin 2) is held low; check the clip on pin 1, "
        "power, and that the board is not holding the bus (in-circuit: SoC in reset?)");
    return w;
  }
  if (std::all_of(id.begin(), id.end(), [](uint8_t b) { return b == 0xFF; })) {
    w.push_back(
        "ID is all 0xFF: nothing drives MISO; the chip is unpowered, CS (pin 1) is not "
        "reaching it, or the clip has no contact");
    return w;
  }
  if (find_nor_by_id(id)) return w;
  uint32_t v = uint32_t(id[0]) << 16 | uint32_t(id[1]) << 8 | id[2];
  const uint32_t shifted[] = {(v << 1) & 0xFFFFFF, ((v << 1) | 1) & 0xFFFFFF, v >> 1, (v >> 1) | 0x800000};
  for (uint32_t t : shifted)
    if (auto* c = match_any(uint8_t(t >> 16), uint8_t(t >> 8), uint8_t(t))) {
      w.push_back(
          fmt::format("ID {} looks like {} ({}) shifted by one bit: sampling on the "
                      "wrong clock edge or marginal wiring; shorten the wires, reseat the clip",
                      id_string(id.first(3)), c->name(), id_string(c->id)));
      return w;
    }
  for (const auto& k : chip_table()) {
    if (k.kind != ChipKind::Nor) continue;
    bool late = k.id[0] == id[1] && k.id[1] == id[2];   // an extra byte in front
    bool early = k.id[1] == id[0] && k.id[2] == id[1];  // the first byte lost
    if (late || early) {
      w.push_back(fmt::format(
          "ID {} looks like {} ({}) shifted by one byte: {}; check the SCK "
          "wire (flash pin 6) and the clip",
          id_string(id.first(3)), k.name(), id_string(k.id), late ? "an extra byte in front" : "the first byte lost"));
      return w;
    }
  }
  return w;
}

std::optional<uint64_t> size_from_capacity_byte(uint8_t cap) {
  if (cap == 0x20) return uint64_t(64) << 20;  // 512 Mbit Winbond/XMC
  if (cap == 0x1A) return uint64_t(64) << 20;  // 512 Mbit Macronix/GigaDevice
  if (cap >= 0x10 && cap <= 0x1C) return uint64_t(1) << cap;
  return std::nullopt;
}

}  // namespace camdump::spi
