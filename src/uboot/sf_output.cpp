// SPDX-License-Identifier: MIT
#include "uboot/sf_output.hpp"

#include <cctype>
#include <cstdint>
#include <regex>

#include "core/size.hpp"

namespace camdump::uboot {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

bool contains(std::string_view s, std::string_view n) { return s.find(n) != std::string_view::npos; }

// Capacity byte of a JEDEC ID (SPI NOR: 2^n bytes for 0x10..0x1f; Micron/ST 0x20.. = 64 MiB..).
std::optional<uint64_t> size_from_capacity(unsigned c) {
  if (c >= 0x10 && c <= 0x1f) return uint64_t{1} << c;
  if (c >= 0x20 && c <= 0x22) return (uint64_t{64} << 20) << (c - 0x20);
  return std::nullopt;
}

}  // namespace

std::optional<uint64_t> parse_print_size(std::string_view text) {
  static const std::regex re(R"(^\s*(\d+)(?:\.(\d+))?\s*(Bytes|KiB|MiB|GiB)\b)");
  std::string s(text);
  std::smatch m;
  if (!std::regex_search(s, m, re)) return std::nullopt;
  // (Digit runs of any length reach here from a noisy console: no stoull, which throws.)
  const std::optional<uint64_t> whole = parse_number(m[1].str());
  const uint64_t unit = m[3] == "Bytes" ? 1 : m[3] == "KiB" ? 1024 : m[3] == "MiB" ? (1u << 20) : (1ull << 30);
  if (!whole || *whole > UINT64_MAX / unit / 2) return std::nullopt;
  uint64_t v = *whole * unit;
  if (m[2].matched) {  // print_size prints one or two decimals, rounded; keep it approximate
    const std::string frac = m[2].str().substr(0, 3);
    uint64_t den = 1;
    for (size_t i = 0; i < frac.size(); ++i) den *= 10;
    v += unit * parse_number(frac).value_or(0) / den;
  }
  return v;
}

std::optional<uint64_t> size_from_chip_name(std::string_view name) {
  std::string s(name);
  std::smatch m;
  static const std::regex mb(R"((\d+)\s*MB\b)", std::regex::icase);
  if (std::regex_search(s, m, mb)) {
    const uint64_t v = parse_number(m[1].str()).value_or(0);
    if (v >= 1 && v <= 512) return v << 20;
  }
  static const std::regex mbit(R"(25[A-Za-z]{0,4}(\d{2,4}))");
  if (std::regex_search(s, m, mbit)) {
    const uint64_t v = parse_number(m[1].str()).value_or(0);
    switch (v) {
      case 16:
      case 32:
      case 64:
      case 128:
      case 256:
      case 512:
      case 1024: return (v << 20) / 8;
      default: break;
    }
  }
  return std::nullopt;
}

SfProbe parse_sf_probe(std::span<const std::string> lines) {
  SfProbe r;
  static const std::regex id_paren(R"(\(([0-9a-fA-F]{2}) ([0-9a-fA-F]{2}) ([0-9a-fA-F]{2})[^)]*\)\s*$)");
  for (const std::string& raw : lines) {
    std::string_view l = trim(raw);
    if (l.empty()) continue;
    if (auto p = l.find("Flash chip ID:"); p != std::string_view::npos) {  // JZSFC (Thingino fork)
      if (auto v = parse_hex(trim(l.substr(p + 14)))) r.jedec = static_cast<uint32_t>(*v & 0xffffff);
      continue;
    }
    // Failures (docs/reference/uboot-console.md#sf-probe): upstream/modern "Failed to initialize",
    // stock Ingenic "SF: Unsupported manufacturer %02x", Thingino "JZSFC: Invalid ID",
    // "JZSFC: Unsupported ID, but still maybe good for flashing", "SF:    Vendor unsupported".
    if (contains(l, "Failed to initialize SPI flash") || contains(l, "Invalid ID") ||
        contains(l, "Vendor unsupported") || contains(l, "All attempts failed") ||
        contains(l, "Unsupported manufacturer") || contains(l, "Unsupported ID") ||
        contains(l, "Failed to set up slave") || contains(l, "unrecognized JEDEC id") ||
        contains(l, "Unknown command")) {
      if (r.error.empty()) r.error = std::string(l);
      continue;
    }
    auto d = l.find("Detected ");
    if (!l.starts_with("SF:") || d == std::string_view::npos) continue;
    r.detected = true;
    std::string_view rest = trim(l.substr(d + 9));
    // modern / upstream: "<name> with page size 256 Bytes, [erase size 4 KiB, ]total 16 MiB"
    if (auto w = rest.find(" with page size "); w != std::string_view::npos) {
      r.name = std::string(trim(rest.substr(0, w)));
      std::string_view tail = rest.substr(w + 16);
      r.page_size = parse_print_size(tail);
      if (auto e = tail.find("erase size "); e != std::string_view::npos)
        r.erase_size = parse_print_size(tail.substr(e + 11));
      if (auto t = tail.find("total "); t != std::string_view::npos) {
        r.size = parse_print_size(tail.substr(t + 6));
        if (r.size) r.size_source = "total";
      }
      continue;
    }
    // Thingino fork: "<name> (c2 20 17 c2 00)"
    std::string rs(rest);
    std::smatch m;
    if (std::regex_search(rs, m, id_paren)) {
      r.jedec = static_cast<uint32_t>(std::stoul(m[1].str() + m[2].str() + m[3].str(), nullptr, 16));
      r.name = std::string(trim(rest.substr(0, static_cast<size_t>(m.position(0)))));
    } else {
      r.name = std::string(rest);  // vendor: name only
    }
  }
  if (!r.size && r.jedec) {
    if ((r.size = size_from_capacity(*r.jedec & 0xff))) r.size_source = "jedec";
  }
  if (!r.size && !r.name.empty()) {
    if ((r.size = size_from_chip_name(r.name))) r.size_source = "name";
  }
  return r;
}

std::optional<bool> parse_sf_read(std::span<const std::string> lines) {
  for (const std::string& raw : lines) {
    std::string_view l = trim(raw);
    // ("SF:    read command completed in 5 ms" / "--->read spend 5 ms" follow on Thingino/stock.)
    if (l.starts_with("SF:") && contains(l, " bytes @ ")) {
      if (contains(l, "Read: OK")) return true;
      if (contains(l, "ERROR")) return false;
    }
    if (contains(l, "No SPI flash selected") || contains(l, "ERROR: attempting read past") ||
        contains(l, "ERROR: trying to overwrite") || contains(l, "Unknown command"))
      return false;
  }
  return std::nullopt;
}

}  // namespace camdump::uboot
