// SPDX-License-Identifier: MIT
#include "uboot/crc32_output.hpp"

#include <cctype>

#include "core/size.hpp"

namespace camdump::uboot {
namespace {

bool ieq_prefix(std::string_view s, std::string_view p) {
  if (s.size() < p.size()) return false;
  for (size_t i = 0; i < p.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != p[i]) return false;
  return true;
}

// Reads 1..16 hex digits at `pos`; advances pos.
std::optional<uint64_t> hex_at(std::string_view s, size_t& pos, size_t max_digits = 16) {
  size_t b = pos;
  while (pos < s.size() && std::isxdigit(static_cast<unsigned char>(s[pos])) && pos - b < max_digits) ++pos;
  if (pos == b) return std::nullopt;
  if (pos < s.size() && std::isxdigit(static_cast<unsigned char>(s[pos]))) return std::nullopt;
  return parse_hex(s.substr(b, pos - b));
}

bool lit(std::string_view s, size_t& pos, std::string_view l) {
  if (s.substr(pos, l.size()) != l) return false;
  pos += l.size();
  return true;
}

}  // namespace

std::optional<Crc32Reply> parse_crc32_line(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  size_t at = std::string_view::npos;
  for (size_t i = 0; i + 9 <= line.size(); ++i)
    if (ieq_prefix(line.substr(i), "crc32 for ")) {
      at = i;
      break;
    }
  if (at == std::string_view::npos) return std::nullopt;
  size_t pos = at + 10;
  Crc32Reply r;
  auto a = hex_at(line, pos);
  if (!a || !lit(line, pos, " ... ")) return std::nullopt;
  auto e = hex_at(line, pos);
  if (!e || !lit(line, pos, " ==> ")) return std::nullopt;
  size_t b = pos;
  auto c = hex_at(line, pos, 8);
  if (!c || pos - b != 8 || pos != line.size()) return std::nullopt;
  r.start = *a;
  r.end = *e;
  r.crc = static_cast<uint32_t>(*c);
  return r;
}

std::optional<uint32_t> find_crc32(std::span<const std::string> lines, uint64_t addr, uint64_t len) {
  for (const auto& l : lines) {
    auto r = parse_crc32_line(l);
    if (r && r->start == addr && r->end == addr + len - 1) return r->crc;
  }
  return std::nullopt;
}

}  // namespace camdump::uboot
