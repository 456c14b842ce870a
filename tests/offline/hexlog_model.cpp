// SPDX-License-Identifier: MIT
// The hexlog tests' reference model and damage generator (see hexlog_model.hpp).
#include "hexlog_model.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace camdump::test::model {
namespace {

const char kPrompt[] = "isvp_t31# ";
const char kHexDigits[] = "0123456789abcdef";

char ascii(uint8_t b) { return b >= 0x20 && b < 0x7f ? static_cast<char>(b) : '.'; }

/// The prompt followed by a command, as the console echoes it.
std::string prompt_line(const std::string& command) { return fmt::format("{}{}", kPrompt, command); }

std::string fmt_hex(uint64_t v) {
  char b[32];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

void add_md(std::vector<Line>& out, const std::vector<uint8_t>& img, uint64_t base, uint64_t from, uint64_t len,
            const LogSpec& spec) {
  for (uint64_t a = from; a < from + len; a += 16) {
    Line l;
    l.md = true;
    l.addr = a;
    l.count = static_cast<unsigned>(std::min<uint64_t>(16, from + len - a));
    l.text = md_line(img, base, a, l.count, spec.width, spec.old_dialect);
    out.push_back(l);
  }
}

void add_crc(std::vector<Line>& out, const std::vector<uint8_t>& img, uint64_t base, uint64_t from, uint64_t len,
             bool lowercase) {
  out.push_back({prompt_line("crc32 " + fmt_hex(from) + " " + fmt_hex(len))});
  const uint32_t c = camdump::crc32(std::span<const uint8_t>(img.data() + (from - base), len));
  char b[96];
  std::snprintf(b, sizeof b, "%s for %08llx ... %08llx ==> %08x", lowercase ? "crc32" : "CRC32",
                static_cast<unsigned long long>(from), static_cast<unsigned long long>(from + len - 1), c);
  Line l;
  l.text = b;
  l.addr = from;
  l.count = static_cast<unsigned>(len);
  out.push_back(l);
}

// Columns of a line: where the hex tokens are and where the ASCII column starts.
struct Cols {
  size_t colon = 0, hex_end = 0, ascii = 0;
};
Cols cols(const Line& l) {
  Cols c;
  c.colon = l.text.find(':');
  c.ascii = l.text.size() - l.count;
  c.hex_end = c.ascii;
  while (c.hex_end > c.colon && l.text[c.hex_end - 1] == ' ') --c.hex_end;
  return c;
}

// Byte index on the line of hex digit `k` of token `u` (little-endian words).
size_t byte_of(unsigned width, size_t u, size_t k) { return u * width + (width - 1 - k / 2); }

}  // namespace

const char* damage_name(Damage d) {
  static const char* const names[] = {"lose first",
                                      "lose middle",
                                      "lose last",
                                      "lose several",
                                      "lose many in a row",
                                      "duplicate",
                                      "merge",
                                      "split",
                                      "drop hex",
                                      "insert hex",
                                      "flip hex",
                                      "flip ascii",
                                      "drop ascii",
                                      "flip address",
                                      "drop address",
                                      "insert address",
                                      "garbage burst",
                                      "truncate last",
                                      "lose then re-read",
                                      "garble first of run",
                                      "garble one-line re-read",
                                      "crc32 wrong",
                                      "flip hex invisible"};
  return names[static_cast<int>(d)];
}

std::vector<uint8_t> firmware_like(size_t n, std::mt19937& rng) {
  std::vector<uint8_t> v;
  static const char text[] = "Linux-3.10.14 console=ttyS1,115200n8 mtdparts=jz_sfc:256k(boot),2048k(kernel) ";
  while (v.size() < n) {
    const size_t run = 1 + rng() % 200;
    switch (rng() % 4) {
      case 0: v.insert(v.end(), run, 0xff); break;
      case 1: v.insert(v.end(), run, 0x00); break;
      case 2:
        for (size_t i = 0; i < run; ++i) v.push_back(static_cast<uint8_t>(text[(rng() % (sizeof text - 1))]));
        break;
      default:
        for (size_t i = 0; i < run; ++i) v.push_back(static_cast<uint8_t>(rng()));
    }
  }
  v.resize(n);
  return v;
}

std::string md_line(const std::vector<uint8_t>& img, uint64_t base, uint64_t addr, unsigned n, unsigned width,
                    bool old_dialect) {
  char b[64];
  std::snprintf(b, sizeof b, "%08llx:", static_cast<unsigned long long>(addr));
  std::string s = b;
  const uint8_t* p = img.data() + (addr - base);
  for (unsigned u = 0; u < n / width; ++u) {
    uint64_t v = 0;
    for (unsigned i = 0; i < width; ++i) v |= static_cast<uint64_t>(p[u * width + i]) << (8 * i);
    std::snprintf(b, sizeof b, " %0*llx", static_cast<int>(2 * width), static_cast<unsigned long long>(v));
    s += b;
  }
  s.append(size_t{(16 - n) / width} * (2 * width + 1), ' ');
  s += old_dialect ? "    " : "  ";
  for (unsigned i = 0; i < n; ++i) s.push_back(ascii(p[i]));
  return s;
}

std::vector<Line> dump_log(const std::vector<uint8_t>& img, uint64_t base, const LogSpec& spec) {
  std::vector<Line> out;
  out.push_back({"U-Boot SPL 2013.07 (Jan 01 2026 - 00:00:00)"});
  out.push_back({"Hit any key to stop autoboot:  0 "});
  out.push_back({prompt_line("sf probe 0")});
  out.push_back({"the manufacturer 0xef"});
  const char* w = spec.width == 1 ? "md.b" : spec.width == 2 ? "md.w" : "md.l";
  if (spec.crc_chunks) {
    for (uint64_t off = 0; off < img.size(); off += spec.chunk) {
      const uint64_t len = std::min<uint64_t>(spec.chunk, img.size() - off);
      add_crc(out, img, base, base + off, len, spec.lowercase_crc);
      out.push_back({prompt_line(std::string(w) + " " + fmt_hex(base + off) + " " + fmt_hex(len / spec.width))});
      add_md(out, img, base, base + off, len, spec);
    }
  } else if (spec.use_repeat && img.size() % 4 == 0 && img.size() >= 64) {
    // md of a quarter, then three empty lines: U-Boot continues at the next address.
    const uint64_t q = img.size() / 4;
    out.push_back({prompt_line(std::string(w) + " " + fmt_hex(base) + " " + fmt_hex(q / spec.width))});
    for (uint64_t k = 0; k < 4; ++k) {
      if (k) out.push_back({kPrompt});
      add_md(out, img, base, base + k * q, q, spec);
    }
  } else {
    out.push_back({prompt_line(std::string(w) + " " + fmt_hex(base) + " " + fmt_hex(img.size() / spec.width))});
    add_md(out, img, base, base, img.size(), spec);
  }
  out.push_back({kPrompt});  // the last prompt (the log ends there, no line end)
  return out;
}

bool apply(Damage d, std::vector<Line>& lines, const std::vector<uint8_t>& img, uint64_t base, const LogSpec& spec,
           std::mt19937& rng, std::vector<Range>& damaged, std::vector<size_t>& used) {
  // Places: md lines (or crc result lines) at least 4 lines from every place used before, so that
  // two damages never touch one another (see docs/cli.md on what cannot be told apart then).
  auto free_at = [&](size_t i) {
    return std::all_of(used.begin(), used.end(), [&](size_t u) { return (u > i ? u - i : i - u) >= 4; });
  };
  std::vector<size_t> md_idx, first_idx, crc_idx;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].md && free_at(i)) {
      md_idx.push_back(i);
      if (i > 0 && !lines[i - 1].md && lines[i - 1].text.find(" md") != std::string::npos) first_idx.push_back(i);
    }
    if (!lines[i].md && lines[i].count && free_at(i)) crc_idx.push_back(i);
  }
  size_t last_md = lines.size();
  for (size_t i = lines.size(); i-- > 0;)
    if (lines[i].md) {
      last_md = i;
      break;
    }
  auto pick = [&](const std::vector<size_t>& from) -> size_t {
    return from.empty() ? lines.size() : from[rng() % from.size()];
  };
  size_t i = lines.size();
  switch (d) {
    case Damage::LoseFirst:
    case Damage::GarbleFirstOfRun: i = pick(first_idx); break;
    case Damage::LoseLast:
    case Damage::TruncateLast: i = free_at(last_md) ? last_md : lines.size(); break;
    case Damage::CrcWrong: i = pick(crc_idx); break;
    default: i = pick(md_idx);
  }
  if (i >= lines.size()) return false;
  Line& l = lines[i];
  const Range truth{l.addr, l.count};
  const Cols c = l.md ? cols(l) : Cols{};
  auto mark = [&](size_t at) { used.push_back(at); };
  auto garble_addr = [&](Line& x) {
    const size_t p = rng() % 8;
    char nc;
    do nc = kHexDigits[rng() % 16];
    while (nc == x.text[p]);
    x.text[p] = nc;
  };
  // Re-reads go to the end of the log (after the last prompt, which gets a line end).
  auto reread = [&](uint64_t addr, bool garble) {
    lines.push_back({prompt_line("md.b " + fmt_hex(addr) + " 0x10")});
    Line r;
    r.text = md_line(img, base, addr, 16, 1, spec.old_dialect);
    if (garble) garble_addr(r);
    lines.push_back(r);
    lines.push_back({kPrompt});
  };
  switch (d) {
    case Damage::LoseFirst:
    case Damage::LoseMiddle:
    case Damage::LoseLast:
    case Damage::LoseSeveral:
      damaged.push_back(truth);
      lines.erase(lines.begin() + static_cast<long>(i));
      mark(i);
      return true;
    case Damage::LoseManyInARow: {
      size_t n = 2 + rng() % 5;
      while (n && (i + n > lines.size() ||
                   !std::all_of(lines.begin() + static_cast<long>(i), lines.begin() + static_cast<long>(i + n),
                                [](const Line& x) { return x.md; })))
        --n;
      for (size_t k = 0; k < n; ++k) damaged.push_back({lines[i + k].addr, lines[i + k].count});
      lines.erase(lines.begin() + static_cast<long>(i), lines.begin() + static_cast<long>(i + n));
      mark(i);
      return n > 0;
    }
    case Damage::Duplicate:
      lines.insert(lines.begin() + static_cast<long>(i) + 1, l);
      mark(i), mark(i + 1);
      return true;
    case Damage::Merge:
      if (i + 1 >= lines.size() || !lines[i + 1].md) return false;
      damaged.push_back(truth);
      damaged.push_back({lines[i + 1].addr, lines[i + 1].count});
      l.text += lines[i + 1].text;
      l.md = false;
      lines.erase(lines.begin() + static_cast<long>(i) + 1);
      mark(i), mark(i + 1);
      return true;
    case Damage::Split: {
      const size_t p = 1 + rng() % (l.text.size() - 1);
      Line tail;
      tail.text = l.text.substr(p);
      l.text.resize(p);
      l.md = false;
      damaged.push_back(truth);
      lines.insert(lines.begin() + static_cast<long>(i) + 1, tail);
      mark(i), mark(i + 1);
      return true;
    }
    case Damage::DropHex:
    case Damage::InsertHex: {
      const size_t p = c.colon + 1 + rng() % (c.hex_end - c.colon - 1);
      if (d == Damage::DropHex) l.text.erase(p, 1);
      else l.text.insert(l.text.begin() + static_cast<long>(p), kHexDigits[rng() % 16]);
      break;
    }
    case Damage::FlipHex:
    case Damage::FlipHexInvisible: {
      // A digit of a token: pick one whose change the ASCII column shows (FlipHex) or does not
      // (FlipHexInvisible: a non-printable byte stays non-printable).
      const size_t tokens = l.count / spec.width, tl = size_t{2} * spec.width;
      bool done = false;
      for (int tries = 0; tries < 200 && !done; ++tries) {
        const size_t u = rng() % tokens, k = rng() % tl;
        const size_t p = c.colon + 2 + u * (tl + 1) + k;
        const size_t b = byte_of(spec.width, u, k);
        const uint8_t old = img[l.addr - base + b];
        const unsigned nib = rng() % 16;
        const uint8_t nw =
            (k % 2 == 0) ? static_cast<uint8_t>((old & 0x0f) | (nib << 4)) : static_cast<uint8_t>((old & 0xf0) | nib);
        if (nw == old) continue;
        const bool visible = ascii(old) != ascii(nw);
        if (visible != (d == Damage::FlipHex)) continue;
        l.text[p] = kHexDigits[nib];
        done = true;
      }
      if (!done) return false;
      break;
    }
    case Damage::FlipAscii: {
      const size_t p = c.ascii + rng() % l.count;
      char nc;
      do nc = static_cast<char>(0x21 + rng() % 94);
      while (nc == l.text[p]);
      l.text[p] = nc;
      break;
    }
    case Damage::DropAscii: l.text.erase(c.ascii + rng() % l.count, 1); break;
    case Damage::FlipAddr:
    case Damage::GarbleFirstOfRun: garble_addr(l); break;
    case Damage::DropAddr: l.text.erase(rng() % 8, 1); break;
    case Damage::InsertAddr:
      l.text.insert(l.text.begin() + static_cast<long>(rng() % 8), kHexDigits[rng() % 16]);
      break;
    case Damage::GarbageBurst: {
      // Noise on the line: printable and control bytes (never '#'/'>', which would read as a
      // prompt), some lines of it, the last glued to the front of the md line.
      const int n = 1 + static_cast<int>(rng() % 3);
      std::vector<Line> burst;
      std::string g;
      for (int k = 0; k < n; ++k) {
        g.clear();
        for (size_t m = 0, len = 1 + rng() % 30; m < len; ++m) {
          char ch = static_cast<char>(rng() % 3 ? 0x20 + rng() % 95 : 1 + rng() % 31);
          if (ch == '#' || ch == '>' || ch == '\n' || ch == '\r') ch = '~';
          g.push_back(ch);
        }
        if (k + 1 < n) burst.push_back({g});
      }
      l.text = g + l.text;
      l.md = false;
      damaged.push_back(truth);
      lines.insert(lines.begin() + static_cast<long>(i), burst.begin(), burst.end());
      mark(i), mark(i + burst.size());
      return true;
    }
    case Damage::TruncateLast:
      l.text.resize(10 + rng() % (c.hex_end - 10));  // inside the hex: the line's bytes are lost
      lines.resize(i + 1);
      damaged.push_back(truth);
      mark(i);
      return true;
    case Damage::LoseThenReRead:
    case Damage::GarbleOneLineReRead: {
      const uint64_t a = l.addr;
      if (l.count != 16) return false;
      lines.erase(lines.begin() + static_cast<long>(i));
      damaged.push_back(truth);
      mark(i);
      reread(a, d == Damage::GarbleOneLineReRead);
      return true;
    }
    case Damage::CrcWrong: {
      const size_t p = l.text.size() - 1 - rng() % 8;
      l.text[p] = l.text[p] == '0' ? '1' : '0';
      damaged.push_back(truth);
      mark(i);
      return true;
    }
  }
  l.md = false;
  damaged.push_back(truth);
  mark(i);
  return true;
}

std::string render(const std::vector<Line>& lines, const Decor& decor, std::mt19937& rng) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string t = lines[i].text;
    if (decor.ansi && rng() % 4 == 0) {  // a colour (SGR 30..37) around the line
      std::string sgr = "\x1b[0;3";
      sgr += std::to_string(rng() % 8);
      sgr += 'm';
      t.insert(0, sgr);
      t += "\x1b[0m";
    }
    if (decor.timestamps) {
      char b[48];
      std::snprintf(b, sizeof b, i % 2 ? "[2026-01-01 12:%02u:%02u.%03u] " : "12:%02u:%02u.%03u ",
                    static_cast<unsigned>(i / 3600 % 60), static_cast<unsigned>(i / 60 % 60),
                    static_cast<unsigned>(i % 1000));
      t.insert(0, b);
    }
    out += t;
    if (i + 1 < lines.size()) out += decor.crlf ? "\r\n" : "\n";
  }
  return out;
}

std::string repair_log(const std::vector<uint8_t>& img, uint64_t base, const std::vector<Range>& ranges) {
  std::vector<Line> out;
  LogSpec spec;
  for (const auto& r : ranges) {
    const uint64_t a = std::max(r.addr, base), e = std::min(r.addr + r.size, base + img.size());
    if (a >= e) continue;
    out.push_back({prompt_line("md.b " + fmt_hex(a) + " " + fmt_hex(e - a))});
    add_md(out, img, base, a, e - a, spec);
    add_crc(out, img, base, a, e - a, false);
  }
  out.push_back({kPrompt});
  std::mt19937 rng(0);
  return render(out, Decor{}, rng);
}

}  // namespace camdump::test::model
