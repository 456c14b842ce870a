// SPDX-License-Identifier: MIT
// /proc/mtd and mtdparts= parsing (see mtd_layout.hpp; syntax from the kernel's
// drivers/mtd/parsers/cmdlinepart.c and drivers/mtd/mtdcore.c, docs/reference/mtd-and-layouts.md).
#include "core/mtd_layout.hpp"

#include <fmt/core.h>

#include <algorithm>

#include "core/error.hpp"
#include "core/hex_digit.hpp"

namespace camdump {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// memparse() prefix of `s`: number (base 0 like simple_strtoull) + optional k/m/g/t suffix.
// Returns the value and the characters consumed (0 = no number).
std::pair<std::optional<uint64_t>, size_t> memparse_prefix(std::string_view s) {
  size_t i = 0;
  unsigned base = 10;
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s.size() > 2 && hex_digit(s[2]) < 16) {
    base = 16;
    i = 2;
  } else if (!s.empty() && s[0] == '0') {
    base = 8;
  }
  size_t start = i;
  uint64_t v = 0;
  while (i < s.size() && hex_digit(s[i]) < base) {
    uint64_t d = uint64_t{hex_digit(s[i])};
    if (v > (UINT64_MAX - d) / base) return {std::nullopt, i};
    v = v * base + d;
    ++i;
  }
  if (i == start) return {std::nullopt, 0};
  unsigned shift = 0;
  if (i < s.size()) {
    switch (s[i]) {
      case 'k':
      case 'K': shift = 10; break;
      case 'm':
      case 'M': shift = 20; break;
      case 'g':
      case 'G': shift = 30; break;
      case 't':
      case 'T': shift = 40; break;
      default: break;
    }
  }
  if (shift) {
    ++i;
    if ((v >> (64 - shift)) != 0) return {std::nullopt, i};
    v <<= shift;
  }
  return {v, i};
}

// One partition definition at s[i...]: <size|->[@<offset>][(<name>)][ro|lk|slc...] (cmdlinepart.c
// newpart()); `i` moves past it. Without an offset it starts at `cur`, where the last one ended.
MtdPart parse_partition(std::string_view s, size_t& i, unsigned index, uint64_t cur) {
  MtdPart p;
  p.index = index;
  if (i < s.size() && s[i] == '-') {
    p.fill = true;
    ++i;
  } else {
    auto [v, n] = memparse_prefix(s.substr(i));
    if (!v) fail(ErrorKind::Corrupt, fmt::format("mtdparts: bad size at '{}'", s.substr(i)));
    if (*v == 0) fail(ErrorKind::Corrupt, fmt::format("mtdparts: partition {} has size 0", p.index));
    p.size = *v;
    i += n;
  }
  if (i < s.size() && s[i] == '@') {
    auto [v, n] = memparse_prefix(s.substr(i + 1));
    if (!v) fail(ErrorKind::Corrupt, fmt::format("mtdparts: bad offset at '{}'", s.substr(i)));
    p.offset = *v;
    i += 1 + n;
  } else {
    p.offset = cur;
  }
  if (i < s.size() && s[i] == '(') {
    size_t close = s.find(')', i + 1);
    if (close == std::string_view::npos) fail(ErrorKind::Corrupt, "mtdparts: no closing ')' for a partition name");
    p.name = std::string(s.substr(i + 1, close - i - 1));
    i = close + 1;
  } else {
    p.name = fmt::format("Partition_{:03}", p.index);  // the kernel's default name
  }
  for (;;) {  // flags
    auto rest = s.substr(i);
    if (rest.starts_with("ro")) {
      p.read_only = true;
      i += 2;
    } else if (rest.starts_with("lk")) {
      i += 2;
    } else if (rest.starts_with("slc")) {
      i += 3;
    } else break;
  }
  return p;
}

MtdLayout parse_mtddef(std::string_view def, std::optional<uint64_t> device_size) {
  size_t colon = def.rfind(':');
  if (colon == std::string_view::npos)
    fail(ErrorKind::Corrupt, fmt::format("mtdparts: no ':' after the device id in '{}'", def),
         "expected e.g. mtdparts=jz_sfc:256k(boot),-(rootfs)");
  MtdLayout L;
  L.mtd_id = std::string(trim(def.substr(0, colon)));
  std::string_view s = def.substr(colon + 1);
  uint64_t cur = 0;
  bool after_fill = false;
  size_t i = 0;
  while (true) {
    if (after_fill) fail(ErrorKind::Corrupt, "mtdparts: no partitions allowed after a fill-up ('-') partition");
    MtdPart p = parse_partition(s, i, static_cast<unsigned>(L.parts.size()), cur);
    if (p.fill) {
      after_fill = true;
      if (device_size) {
        if (*p.offset > *device_size)
          fail(ErrorKind::Corrupt,
               fmt::format("mtdparts: '-' partition '{}' starts past the end of the device", p.name));
        p.size = *device_size - *p.offset;
      }
    }
    cur = *p.offset + p.size;
    if (device_size && cur > *device_size)
      fail(ErrorKind::Corrupt,
           fmt::format("mtdparts: partition '{}' ends at 0x{:x}, past the device size 0x{:x}", p.name, cur,
                       *device_size),
           "check --flash-size / the chip size");
    L.parts.push_back(std::move(p));
    if (i >= s.size()) break;
    if (s[i] != ',')
      fail(ErrorKind::Corrupt,
           fmt::format("mtdparts: unexpected '{}' after partition '{}'", s.substr(i, 1), L.parts.back().name));
    ++i;
  }
  L.device_size = device_size;
  if (!L.device_size) {
    if (auto w = L.whole_chip()) L.device_size = L.parts[*w].size;
  }
  return L;
}

}  // namespace

std::optional<uint64_t> parse_memsize(std::string_view text) {
  auto s = trim(text);
  auto [v, n] = memparse_prefix(s);
  if (!v || n != s.size()) return std::nullopt;
  return v;
}

std::optional<std::string_view> find_mtdparts(std::string_view text) {
  size_t pos = text.find("mtdparts=");
  if (pos == std::string_view::npos) return std::nullopt;
  size_t start = pos + 9;
  size_t end = start;
  while (end < text.size() && !is_space(text[end]) && text[end] != '"' && text[end] != '\'' && text[end] != '\0') ++end;
  return text.substr(start, end - start);
}

std::vector<MtdLayout> parse_mtdparts_all(std::string_view text, std::optional<uint64_t> device_size) {
  std::string_view s;
  if (auto found = find_mtdparts(text)) s = *found;
  else s = trim(text);
  if (s.empty()) fail(ErrorKind::Corrupt, "mtdparts: empty partition list");
  std::vector<MtdLayout> out;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t semi = s.find(';', pos);
    std::string_view def = s.substr(pos, semi == std::string_view::npos ? std::string_view::npos : semi - pos);
    if (!trim(def).empty()) out.push_back(parse_mtddef(trim(def), device_size));
    if (semi == std::string_view::npos) break;
    pos = semi + 1;
  }
  if (out.empty()) fail(ErrorKind::Corrupt, "mtdparts: empty partition list");
  return out;
}

MtdLayout parse_mtdparts(std::string_view text, std::optional<uint64_t> device_size) {
  return parse_mtdparts_all(text, device_size).front();
}

MtdLayout parse_proc_mtd(std::string_view text) {
  MtdLayout L;
  size_t pos = 0;
  unsigned lineno = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++lineno;
    line = trim(line);
    if (line.size() < 4 || !line.starts_with("mtd") || line[3] < '0' || line[3] > '9') continue;
    // "mtd%d: %8.8llx %8.8x \"%s\""
    size_t colon = line.find(':');
    auto bad = [&](const char* what) {
      fail(ErrorKind::Corrupt, fmt::format("/proc/mtd line {}: {}: '{}'", lineno, what, line),
           "expected lines like: mtd0: 00050000 00010000 \"boot\"");
    };
    if (colon == std::string_view::npos) bad("no ':'");
    MtdPart p;
    unsigned idx = 0;
    for (size_t k = 3; k < colon; ++k) {
      if (line[k] < '0' || line[k] > '9') bad("bad device number");
      idx = idx * 10 + static_cast<unsigned>(line[k] - '0');
    }
    p.index = idx;
    std::string_view rest = trim(line.substr(colon + 1));
    auto hexfield = [&](uint64_t& v) {
      size_t k = 0;
      v = 0;
      while (k < rest.size() && hex_digit(rest[k]) < 16) {
        if (k >= 16) bad("number too long");
        v = (v << 4) | uint64_t{hex_digit(rest[k])};
        ++k;
      }
      if (k == 0) bad("missing hex field");
      rest = trim(rest.substr(k));
    };
    hexfield(p.size);
    hexfield(p.erasesize);
    if (rest.size() < 2 || rest.front() != '"' || rest.back() != '"') bad("name not in double quotes");
    p.name = std::string(rest.substr(1, rest.size() - 2));
    L.parts.push_back(std::move(p));
  }
  if (L.parts.empty())
    fail(ErrorKind::Corrupt, "no mtd lines found in the /proc/mtd text",
         "paste the output of 'cat /proc/mtd' from the camera");
  for (size_t i = 0; i < L.parts.size(); ++i)
    if (L.parts[i].index != i)
      fail(ErrorKind::Corrupt, fmt::format("/proc/mtd lists mtd{} where mtd{} was expected", L.parts[i].index, i),
           "the list must be complete and in order");
  if (auto w = L.whole_chip()) L.device_size = L.parts[*w].size;
  return L;
}

std::optional<size_t> MtdLayout::whole_chip() const {
  if (parts.size() < 2) return std::nullopt;
  const bool offsets_known =
      std::all_of(parts.begin(), parts.end(), [](const MtdPart& p) { return p.offset.has_value(); });
  for (size_t i = 0; i < parts.size(); ++i) {
    const MtdPart& p = parts[i];
    if (p.fill && p.size == 0) continue;
    uint64_t others_end = 0, others_sum = 0;
    for (size_t j = 0; j < parts.size(); ++j) {
      if (j == i) continue;
      others_end = std::max(others_end, parts[j].end());
      others_sum += parts[j].size;
    }
    if (offsets_known) {
      if (*p.offset == 0 && p.size >= others_end && (!device_size || p.size == *device_size)) return i;
    } else {
      const bool named = p.name == "all" || p.name == "whole" || p.name == "flash";
      if (p.size == others_sum || (named && p.size >= others_sum)) return i;
    }
  }
  return std::nullopt;
}

void MtdLayout::assign_offsets() {
  const auto wc = whole_chip();
  uint64_t running = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    MtdPart& p = parts[i];
    if (p.offset) {
      if (!(wc && *wc == i)) running = p.end();
    } else if (wc && *wc == i) {
      p.offset = 0;
    } else {
      p.offset = running;
      running += p.size;
    }
  }
}

std::vector<size_t> MtdLayout::tiling() const {
  MtdLayout copy = *this;
  copy.assign_offsets();
  const auto wc = copy.whole_chip();
  std::vector<size_t> kept;
  for (size_t i = 0; i < copy.parts.size(); ++i) {
    if (wc && *wc == i) continue;
    const MtdPart& p = copy.parts[i];
    bool overlaps = false;
    for (size_t k : kept) {
      const MtdPart& q = copy.parts[k];
      if (*p.offset < q.end() && *q.offset < p.end()) overlaps = true;
    }
    if (!overlaps) kept.push_back(i);
  }
  std::stable_sort(kept.begin(), kept.end(),
                   [&](size_t a, size_t b) { return *copy.parts[a].offset < *copy.parts[b].offset; });
  return kept;
}

uint64_t MtdLayout::span() const {
  MtdLayout copy = *this;
  copy.assign_offsets();
  uint64_t end = 0;
  for (const auto& p : copy.parts) end = std::max(end, p.end());
  return end;
}

void MtdLayout::resolve_fill(uint64_t size) {
  for (auto& p : parts) {
    if (p.fill) {
      uint64_t off = p.offset.value_or(0);
      if (off > size)
        fail(ErrorKind::Corrupt, fmt::format("partition '{}' starts past the device size 0x{:x}", p.name, size));
      p.size = size - off;
    }
    if (p.offset && p.end() > size)
      fail(ErrorKind::Corrupt,
           fmt::format("partition '{}' ends at 0x{:x}, past the device size 0x{:x}", p.name, p.end(), size));
  }
  device_size = size;
}

const MtdPart* MtdLayout::find(std::string_view name) const {
  for (const auto& p : parts)
    if (p.name == name) return &p;
  return nullptr;
}

}  // namespace camdump
