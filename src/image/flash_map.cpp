// SPDX-License-Identifier: MIT
// Flash map cells and SVG rendering for `camdump inspect` (see flash_map.hpp).
#include "image/flash_map.hpp"

#include <algorithm>
#include <cstdint>

#include <fmt/format.h>

#include "core/size.hpp"

namespace camdump::image {
namespace {

MapKind part_kind(const PartReport& p) {
  if (p.content == "boot") return MapKind::Boot;
  if (p.content == "env") return MapKind::Env;
  if (p.content == "uimage") return MapKind::Kernel;
  if (p.content == "squashfs") return MapKind::Rootfs;
  if (p.content == "jffs2" || p.content == "ubi") return MapKind::Data;
  if (p.content == "blank") return MapKind::Blank;
  if (p.content == "zero") return MapKind::Zero;
  if (p.content == "missing") return MapKind::Missing;
  return MapKind::Other;
}

const char* color(MapKind k) {
  switch (k) {
    case MapKind::Boot: return "#6a5acd";
    case MapKind::Env: return "#daa520";
    case MapKind::Kernel: return "#2e8b57";
    case MapKind::Rootfs: return "#4682b4";
    case MapKind::Data: return "#8b4513";
    case MapKind::Other: return "#808080";
    case MapKind::Blank: return "#eeeeee";
    case MapKind::Zero: return "#333333";
    case MapKind::Problem: return "#e00000";
    case MapKind::Missing: return "#ffffff";
  }
  return "#808080";
}

uint64_t map_span(const InspectReport& r) {
  uint64_t span = r.size;
  for (const auto& p : r.parts) span = std::max(span, p.offset + p.size);
  return std::max<uint64_t>(span, 1);
}

// Monospace 11 px: a glyph is 0.6 em wide; a label row is 28 px (name line + offset line).
constexpr double kLabelCharW = 6.6, kRowH = 28;

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '<') o += "&lt;";
    else if (c == '>') o += "&gt;";
    else if (c == '&') o += "&amp;";
    else if (c == '"') o += "&quot;";
    else o += c;
  }
  return o;
}

// Where the SVG draws the flash: the bar's place and size, and the x of a flash offset.
struct SvgBar {
  static constexpr double W = 1000, x0 = 20, y = 50, h = 46;
  uint64_t span = 1;  // the bytes the bar covers (map_span)
  double X(uint64_t off) const { return x0 + W * double(off) / double(span); }
};

// The document's start: its size, the title line, the verdict, and a dashed box for a missing tail.
std::string svg_head(const InspectReport& r, const std::string& title, const SvgBar& bar) {
  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"monospace\" "
      "font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      bar.W + 2 * bar.x0, 200 + kRowH * double(r.parts.size() + 1) + 14 * double(r.problems.size()));
  s += fmt::format("<text x=\"{}\" y=\"20\" font-size=\"14\">{} — {} ({} bytes){}</text>\n", bar.x0, esc(title),
                   format_size(r.size), r.size, r.layout.known.empty() ? "" : ", " + esc(r.layout.known));
  s += fmt::format("<text x=\"{}\" y=\"38\" fill=\"{}\">{}</text>\n", bar.x0, r.ok() ? "#2e8b57" : "#e00000",
                   r.ok() ? "OK" : fmt::format("{} problem(s)", r.problems.size()));
  if (bar.span > r.size)
    s += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"white\" stroke=\"#e00000\" "
        "stroke-dasharray=\"4\"><title>missing {}..{}</title></rect>\n",
        bar.X(r.size), bar.y, bar.X(bar.span) - bar.X(r.size), bar.h, hex(r.size), hex(bar.span));
  return s;
}

// The label row of each part under the bar, so that no leader line crosses a label: placed right
// to left, a label goes one row below every label to its right whose leader line would run
// through it (lines start at their part's offset; labels extend to the right).
std::vector<int> label_rows(const std::vector<const PartReport*>& shown, const SvgBar& bar) {
  std::vector<int> rows(shown.size(), 0);
  auto label_w = [](const PartReport& p) {
    const size_t n = std::max(p.name.size(), fmt::format("@{} {}", hex(p.offset), format_size(p.size)).size());
    return kLabelCharW * double(n) + 4;
  };
  for (size_t i = shown.size(); i-- > 0;) {
    const double x = bar.X(shown[i]->offset), right = x + label_w(*shown[i]);
    for (size_t j = i + 1; j < shown.size(); ++j)
      if (bar.X(shown[j]->offset) <= right) rows[i] = std::max(rows[i], rows[j] + 1);
  }
  return rows;
}

// A part's box on the bar (its verdict's colour, the summary as a tooltip), its leader line and
// its label in label row `row`.
void svg_part(std::string& s, const PartReport& p, int row, uint64_t image_size, const SvgBar& bar) {
  const uint64_t end = std::min(p.offset + p.size, image_size);
  const MapKind k = p.ok ? part_kind(p) : MapKind::Problem;
  s += fmt::format(
      "<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\" stroke=\"black\" "
      "stroke-width=\"0.5\"><title>{} {}..{} {}: {}</title></rect>\n",
      bar.X(p.offset), bar.y, std::max(0.5, bar.X(end) - bar.X(p.offset)), bar.h, color(k), esc(p.name), hex(p.offset),
      hex(p.offset + p.size), format_size(p.size), esc(p.summary));
  const double ly = bar.y + bar.h + 16 + kRowH * row;
  s += fmt::format("<line class=\"leader\" x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#999\"/>\n",
                   bar.X(p.offset), bar.y + bar.h, ly - 10);
  s += fmt::format(
      "<text class=\"label\" x=\"{:.1f}\" y=\"{}\">{}</text><text class=\"label\" x=\"{:.1f}\" y=\"{}\" "
      "fill=\"#555\">@{} {}</text>\n",
      bar.X(p.offset) + 2, ly, esc(p.name), bar.X(p.offset) + 2, ly + 12, hex(p.offset), format_size(p.size));
}

// Ranges (blank, zero) drawn over the lower half of the bar.
void svg_overlay(std::string& s, const std::vector<ByteRange>& v, const char* fill, const char* what,
                 const SvgBar& bar) {
  for (const auto& g : v)
    s += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\" opacity=\"0.75\">"
        "<title>{} {}..{} ({})</title></rect>\n",
        bar.X(g.offset), bar.y + bar.h / 2, std::max(0.5, bar.X(g.end()) - bar.X(g.offset)), bar.h / 2, fill, what,
        hex(g.offset), hex(g.end()), format_size(g.size));
}

// A red mark across the bar at each problem, and the problems as lines of text from `y` down.
// Returns the y below them.
double svg_problems(std::string& s, const InspectReport& r, const SvgBar& bar, double y) {
  for (const auto& p : r.problems)
    s += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#e00000\" stroke-width=\"2\">"
        "<title>{3}</title></line>\n",
        bar.X(std::min(p.offset, bar.span)), bar.y - 6, bar.y + bar.h + 6, esc(p.text()));
  for (const auto& p : r.problems) {
    s += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"#e00000\">{}</text>\n", bar.x0, y, esc(p.text()));
    y += 14;
  }
  return y;
}

// One swatch and word per kind, in a row at `y`.
void svg_legend(std::string& s, double y) {
  double lx = SvgBar::x0;
  for (MapKind k : {MapKind::Boot, MapKind::Env, MapKind::Kernel, MapKind::Rootfs, MapKind::Data, MapKind::Other,
                    MapKind::Blank, MapKind::Zero, MapKind::Problem}) {
    s += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\" stroke=\"black\" "
        "stroke-width=\"0.5\"/><text x=\"{}\" y=\"{}\">{}</text>\n",
        lx, y + 6, color(k), lx + 14, y + 15, map_name(k));
    lx += 90;
  }
}

}  // namespace

char map_letter(MapKind k) {
  static const char kLetters[] = {'B', 'E', 'K', 'R', 'D', 'o', '.', '0', '!', ' '};
  return kLetters[size_t(k)];
}

const char* map_name(MapKind k) {
  static const char* const n[] = {"boot",  "env",   "kernel", "rootfs",  "data",
                                  "other", "blank", "zero",   "problem", "missing"};
  return n[size_t(k)];
}

std::vector<MapKind> flash_map_cells(const InspectReport& r, size_t cells) {
  cells = std::max<size_t>(cells, 1);
  const uint64_t span = map_span(r);
  std::vector<MapKind> out(cells, MapKind::Other);
  auto cell_range = [&](size_t i) {
    return std::pair(span * i / cells, std::max(span * (i + 1) / cells, span * i / cells + 1));
  };
  for (size_t i = 0; i < cells; ++i) {
    auto [a, b] = cell_range(i);
    if (a >= r.size) {
      out[i] = MapKind::Missing;
      continue;
    }
    for (const auto& p : r.parts)
      if (!p.overlapping && p.offset < b && p.offset + p.size > a) {
        out[i] = part_kind(p);
        break;
      }
    uint64_t blank = 0, zero = 0;
    for (const auto& g : r.blank)
      blank += std::min(b, g.end()) > std::max(a, g.offset) ? std::min(b, g.end()) - std::max(a, g.offset) : 0;
    for (const auto& g : r.zero)
      zero += std::min(b, g.end()) > std::max(a, g.offset) ? std::min(b, g.end()) - std::max(a, g.offset) : 0;
    if (blank >= b - a) out[i] = MapKind::Blank;
    else if (zero >= b - a) out[i] = MapKind::Zero;
  }
  // Every checked part shows its letter at least where it starts (small parts such as env).
  std::vector<const PartReport*> by_size;
  for (const auto& p : r.parts) by_size.push_back(&p);
  std::stable_sort(by_size.begin(), by_size.end(), [](auto* x, auto* y) { return x->size > y->size; });
  for (const PartReport* pp : by_size) {  // smallest last, so it stays visible
    const PartReport& p = *pp;
    if (p.overlapping || p.offset >= r.size || p.content == "blank") continue;
    const size_t i = size_t(std::min<uint64_t>(cells - 1, p.offset * cells / span));
    out[i] = part_kind(p);
  }
  // A problem marks the cell that shows its part: when the cell holding the problem's offset shows
  // another part's letter (a 256 KiB cell may start with env and end in the kernel), the nearest
  // cell of the problem's own part gets the '!' instead.
  const std::vector<MapKind> kinds = out;
  for (const auto& q : r.problems) {
    size_t at = size_t(std::min<uint64_t>(cells - 1, std::min(q.offset, span - 1) * cells / span));
    const std::string name = q.part.substr(0, q.part.find('/'));  // "ubi/rootfs" -> "ubi"
    const PartReport* owner = nullptr;
    for (const auto& p : r.parts)
      if (!p.overlapping && p.name == name) owner = &p;
    if (owner && owner->offset < r.size && kinds[at] != part_kind(*owner)) {
      const size_t c0 = size_t(std::min<uint64_t>(cells - 1, owner->offset * cells / span));
      const size_t c1 = size_t(
          std::min<uint64_t>(cells - 1, (owner->offset + std::max<uint64_t>(owner->size, 1) - 1) * cells / span));
      size_t best = at, dist = SIZE_MAX;
      for (size_t i = c0; i <= c1; ++i)
        if (kinds[i] == part_kind(*owner) && size_t(i > at ? i - at : at - i) < dist) {
          best = i;
          dist = i > at ? i - at : at - i;
        }
      at = best;
    }
    out[at] = MapKind::Problem;
  }
  return out;
}

std::string flash_map_svg(const InspectReport& r, const std::string& title) {
  const SvgBar bar{.span = map_span(r)};
  std::string s = svg_head(r, title, bar);
  std::vector<const PartReport*> shown;
  for (const auto& p : r.parts)
    if (!p.overlapping && p.offset < r.size) shown.push_back(&p);
  const std::vector<int> rows = label_rows(shown, bar);
  for (size_t i = 0; i < shown.size(); ++i) svg_part(s, *shown[i], rows[i], r.size, bar);
  svg_overlay(s, r.blank, "#eeeeee", "blank 0xff", bar);
  svg_overlay(s, r.zero, "#333333", "zero 0x00", bar);
  const int max_row = rows.empty() ? 0 : *std::max_element(rows.begin(), rows.end());
  const double y = svg_problems(s, r, bar, bar.y + bar.h + 16 + kRowH * (max_row + 1) + 14);
  svg_legend(s, y);
  s += "</svg>\n";
  return s;
}

}  // namespace camdump::image
