// SPDX-License-Identifier: MIT
#include "uboot/md_format.hpp"

#include <cstring>

#include "uboot/md_fast.hpp"

namespace camdump::uboot {
namespace {

using detail::ascii_of;

constexpr char kHex[] = "0123456789abcdef";

void put_hex(std::string& out, uint64_t v, int digits) {
  for (int i = digits - 1; i >= 0; --i) out.push_back(kHex[(v >> (4 * i)) & 15]);
}

int addr_digits(uint64_t addr) {
  int d = 8;  // "%08lx": at least 8, more for wide addresses
  while (d < 16 && (addr >> (4 * d)) != 0) ++d;
  return d;
}

uint64_t load_unit(const uint8_t* p, MdWidth w, Endian e) {
  uint64_t v = 0;
  for (unsigned i = 0; i < w; ++i) {
    unsigned shift = e == Endian::Little ? 8 * i : 8 * (w - 1 - i);
    v |= static_cast<uint64_t>(p[i]) << shift;
  }
  return v;
}

void store_unit(uint8_t* p, uint64_t v, MdWidth w, Endian e) {
  for (unsigned i = 0; i < w; ++i) {
    unsigned shift = e == Endian::Little ? 8 * i : 8 * (w - 1 - i);
    p[i] = static_cast<uint8_t>(v >> shift);
  }
}

bool ascii_matches(std::string_view ascii, const uint8_t* bytes, unsigned count) {
  // A logger may have trimmed trailing spaces (bytes 0x20 at the end of the line).
  if (ascii.size() > count) return false;
  for (unsigned i = 0; i < count; ++i) {
    char want = ascii_of(bytes[i]);
    char got = i < ascii.size() ? ascii[i] : ' ';
    if (got != want) return false;
  }
  return true;
}

}  // namespace

void render_md(std::string& out, std::span<const uint8_t> data, uint64_t addr, const MdRenderOptions& opt) {
  const MdWidth w = opt.width;
  const unsigned units_per_line = 16 / w;
  const char* sep = opt.dialect == MdDialect::Old ? "    " : "  ";
  size_t pos = 0;
  while (pos < data.size()) {
    size_t n = data.size() - pos < 16 ? data.size() - pos : 16;
    unsigned units = static_cast<unsigned>(n / w);
    put_hex(out, addr + pos, addr_digits(addr + pos));
    out.push_back(':');
    for (unsigned u = 0; u < units; ++u) {
      out.push_back(' ');
      put_hex(out, load_unit(&data[pos + size_t{u} * w], w, opt.endian), static_cast<int>(2 * w));
    }
    if (opt.pad_short_line) out.append(size_t{units_per_line - units} * (2 * w + 1), ' ');
    out.append(sep);
    for (size_t i = 0; i < n; ++i) out.push_back(ascii_of(data[pos + i]));
    if (opt.crlf) out.push_back('\r');
    out.push_back('\n');
    pos += n;
  }
}

uint64_t md_wire_chars(uint64_t bytes, MdWidth w, MdDialect dialect) {
  // Per full line: 8 addr + ':' + (16/w)*(2w+1) + sep + 16 ascii + CRLF.
  const uint64_t sep = dialect == MdDialect::Old ? 4 : 2;
  const uint64_t full = 9 + (16 / w) * (2 * w + 1) + sep + 16 + 2;
  uint64_t lines = bytes / 16, rest = bytes % 16;
  uint64_t chars = lines * full;
  if (rest) chars += 9 + (16 / w) * (2 * w + 1) + sep + rest + 2;
  return chars;
}

namespace {

// After the hex tokens: the separator (2 or 4 spaces) [+ padding for a short line] and an ASCII
// column that must match the bytes, or nothing at all for a full line.
MdParse check_ascii_column(std::string_view rest, unsigned units, unsigned max_units, MdLine& out) {
  if (rest.empty()) {
    // No ASCII column at all: acceptable only for a full line (cannot check it).
    return units == max_units ? MdParse::Ok : MdParse::Corrupt;
  }
  const size_t pad = static_cast<size_t>(max_units - units) * (2 * out.width + 1);
  const size_t candidates[] = {2, 4, 2 + pad, 4 + pad};
  for (size_t p : candidates) {
    if (rest.size() < p) continue;
    if (rest.substr(0, p).find_first_not_of(' ') != std::string_view::npos) continue;
    if (ascii_matches(rest.substr(p), out.bytes.data(), out.count)) {
      out.ascii_present = true;
      return MdParse::Ok;
    }
  }
  // Everything after the hex is blank: the ASCII column was all spaces and got trimmed.
  if (rest.find_first_not_of(' ') == std::string_view::npos && ascii_matches({}, out.bytes.data(), out.count)) {
    out.ascii_present = true;
    return MdParse::Ok;
  }
  return MdParse::Corrupt;
}

}  // namespace

MdParse parse_md_line(std::string_view line, Endian endian, MdLine& out) {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  if (detail::parse_full_md_b(line, out)) return MdParse::Ok;
  // Address: 8..16 hex digits then ':'.
  size_t i = 0;
  uint64_t addr = 0;
  while (i < line.size() && i < 17 && hex_digit(line[i]) != kNotHex) {
    addr = (addr << 4) | hex_digit(line[i]);
    ++i;
  }
  if (i < 8 || i > 16 || i >= line.size() || line[i] != ':') return MdParse::NotMd;
  out = MdLine{};
  out.addr = addr;
  ++i;
  // First token fixes the width: 2, 4 or 8 hex digits.
  if (i + 1 >= line.size() || line[i] != ' ') return MdParse::Corrupt;
  size_t j = i + 1;
  while (j < line.size() && hex_digit(line[j]) != kNotHex) ++j;
  size_t digits = j - (i + 1);
  if (digits != 2 && digits != 4 && digits != 8) return MdParse::Corrupt;
  const MdWidth w = static_cast<MdWidth>(digits / 2);
  out.width = w;
  const unsigned max_units = 16 / w;
  unsigned units = 0;
  // Tokens: exactly one space, then 2w hex digits, then a space or the end of the line.
  while (units < max_units && i < line.size() && line[i] == ' ') {
    size_t start = i + 1;
    if (start + digits > line.size()) break;
    uint64_t v = 0;
    bool ok = true;
    for (size_t k = 0; k < digits; ++k) {
      uint8_t h = hex_digit(line[start + k]);
      if (h == kNotHex) {
        ok = false;
        break;
      }
      v = (v << 4) | h;
    }
    size_t end = start + digits;
    if (!ok || (end < line.size() && line[end] != ' ')) {
      if (line[start] == ' ') break;  // two spaces: the ASCII separator or padding
      return MdParse::Corrupt;        // damaged token
    }
    store_unit(&out.bytes[size_t{units} * w], v, w, endian);
    ++units;
    i = end;
  }
  if (units == 0) return MdParse::Corrupt;
  out.count = units * w;
  return check_ascii_column(line.substr(i), units, max_units, out);
}

}  // namespace camdump::uboot
