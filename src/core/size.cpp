// SPDX-License-Identifier: MIT
#include "core/size.hpp"

#include <fmt/core.h>

#include <charconv>

#include "core/error.hpp"

namespace camdump {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<uint64_t> parse_digits(std::string_view s, int base) {
  if (s.empty()) return std::nullopt;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

bool starts_with_0x(std::string_view s) { return s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'); }

}  // namespace

std::optional<uint64_t> parse_number(std::string_view text) {
  auto s = trim(text);
  if (starts_with_0x(s)) return parse_digits(s.substr(2), 16);
  return parse_digits(s, 10);
}

std::optional<uint64_t> parse_hex(std::string_view text) {
  auto s = trim(text);
  if (starts_with_0x(s)) s.remove_prefix(2);
  return parse_digits(s, 16);
}

std::optional<uint64_t> parse_size(std::string_view text) {
  auto s = trim(text);
  if (starts_with_0x(s)) return parse_digits(s.substr(2), 16);
  // Optional binary suffix: K/M/G, then optional "iB" or "B".
  unsigned shift = 0;
  auto lower = [](char c) { return static_cast<char>(c | 0x20); };
  if (s.size() >= 3 && lower(s[s.size() - 2]) == 'i' && lower(s.back()) == 'b') s.remove_suffix(2);
  else if (s.size() >= 2 && lower(s.back()) == 'b' && (s[s.size() - 2] < '0' || s[s.size() - 2] > '9'))
    s.remove_suffix(1);
  if (!s.empty()) {
    switch (lower(s.back())) {
      case 'k': shift = 10; break;
      case 'm': shift = 20; break;
      case 'g': shift = 30; break;
      default: break;
    }
    if (shift) s.remove_suffix(1);
  }
  auto v = parse_digits(trim(s), 10);
  if (!v) return std::nullopt;
  if (shift && (*v >> (64 - shift)) != 0) return std::nullopt;
  return *v << shift;
}

std::optional<uint32_t> parse_crc(std::string_view text) {
  auto s = trim(text);
  if (starts_with_0x(s)) s.remove_prefix(2);
  if (s.empty() || s.size() > 8) return std::nullopt;
  auto v = parse_digits(s, 16);
  if (!v) return std::nullopt;
  return static_cast<uint32_t>(*v);
}

ByteRange checked_range(uint64_t offset, uint64_t length, uint64_t limit, std::string_view what) {
  if (length == 0) fail(ErrorKind::Usage, fmt::format("{}: nothing to do (length 0)", what));
  if (offset >= limit)
    fail(ErrorKind::Usage, fmt::format("{}: offset {} is past the end ({})", what, hex(offset), hex(limit)),
         fmt::format("the flash is {} bytes; use an offset below {}", limit, hex(limit)));
  if (length > limit - offset)  // limit - offset cannot wrap: offset < limit
    fail(ErrorKind::Usage,
         fmt::format("{}: offset {} + length {} runs past the end ({})", what, hex(offset), hex(length), hex(limit)),
         fmt::format("the largest length at {} is {}", hex(offset), hex(limit - offset)));
  return {offset, length};
}

uint64_t size_arg(std::string_view what, std::string_view text) {
  auto v = parse_size(text);
  if (!v)
    fail(ErrorKind::Usage, fmt::format("{}: '{}' is not a size", what, text), "use 16M, 16MiB, 0x1000000 or 16777216");
  return *v;
}

uint64_t number_arg(std::string_view what, std::string_view text) {
  auto v = parse_number(text);
  if (!v)
    fail(ErrorKind::Usage, fmt::format("{}: '{}' is not a number", what, text),
         "use hex with 0x (0x80600000) or decimal");
  return *v;
}

std::string format_size(uint64_t bytes) {
  static const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return fmt::format("{} bytes", bytes);
  double v = static_cast<double>(bytes);
  int u = -1;
  while (v >= 1024 && u < 3) {
    v /= 1024;
    ++u;
  }
  if (v == static_cast<double>(static_cast<uint64_t>(v)))
    return fmt::format("{} {}", static_cast<uint64_t>(v), units[u]);
  return fmt::format("{:.1f} {}", v, units[u]);
}

std::string hex(uint64_t value, int digits) {
  return digits > 0 ? fmt::format("0x{:0{}x}", value, digits) : fmt::format("0x{:x}", value);
}

std::string crc_hex(uint32_t crc) { return fmt::format("{:08x}", crc); }

}  // namespace camdump
