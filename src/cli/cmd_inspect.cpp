// SPDX-License-Identifier: MIT
// `camdump inspect IMAGE`: check a flash dump for everything its formats let us check, and say
// which bytes a checksum proves and which were only recognised. Prints size/blank/zero checks,
// boot (SPL CRC7, U-Boot), the environment(s), the layout with every part checked, the proof per
// part, a one-line colour map and a verdict (exit 0 only when no problem). --json prints only the
// JSON document (docs/inspect-json.md). That a dump equals the flash is proven by the device's own
// CRC taken while dumping, not here.
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/commands.hpp"
#include "cli/inspect_json.hpp"
#include "cli/inspect_summary.hpp"
#include "core/atomic_file.hpp"
#include "core/file_util.hpp"
#include "core/output_path.hpp"
#include "core/size.hpp"
#include "image/flash_map.hpp"
#include "image/inspect.hpp"

namespace camdump::cli {
namespace {

using image::InspectReport;

struct InspectArgs {
  std::string image, layout, svg;
  bool json = false, show_secrets = false, quick = false, force = false;
  size_t width = 64;
};

bool use_color() {  // a terminal only; NO_COLOR (no-color.org) and TERM=dumb turn it off
  const char* nc = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  return isatty(STDOUT_FILENO) && !(nc && *nc) && !(term && std::strcmp(term, "dumb") == 0);
}

std::string map_line(const InspectReport& r, size_t width, bool color) {
  static const int kBg[] = {61, 178, 29, 67, 94, 244, 255, 236, 196, 231};
  std::string s;
  for (auto k : image::flash_map_cells(r, width)) {
    char c = image::map_letter(k);
    if (color)
      s += fmt::format("\x1b[48;5;{}m\x1b[38;5;{}m{}", kBg[size_t(k)], k == image::MapKind::Blank ? 240 : 231, c);
    else s += c;
  }
  if (color) s += "\x1b[0m";
  return s;
}

// `text` in red/green/yellow when colour is on.
std::string paint(bool color, int code, const std::string& text) {
  return color ? fmt::format("\x1b[{}m{}\x1b[0m", code, text) : text;
}
constexpr int kRed = 31, kGreen = 32, kYellow = 33;

void print_ranges(const char* label, const std::vector<image::ByteRange>& v) {
  if (v.empty()) return;
  std::string line;
  for (size_t i = 0; i < v.size() && i < 8; ++i)
    line += fmt::format("{}{}..{} ({})", i ? ", " : "", hex(v[i].offset), hex(v[i].end()), format_size(v[i].size));
  if (v.size() > 8) line += fmt::format(", and {} more", v.size() - 8);
  fmt::print("{:<9}{}\n", label, line);
}

void print_boot(const InspectReport& r, bool color) {
  std::string boot =
      r.boot.ingenic_spl
          ? fmt::format("Ingenic SPL header (length {}, {}, CRC7 {})", r.boot.spl_length, r.boot.spl_flash,
                        r.boot.spl_crc_ok && *r.boot.spl_crc_ok ? "ok" : paint(color, kRed, "BAD"))
      : r.boot.sigmastar_ipl ? "SigmaStar IPL (header recognised; its checksum is not checked)"
                             : "no SPL header";
  for (const auto& v : r.boot.uboot_versions) boot += "; " + v;
  if (!r.boot.soc.empty()) boot += "; SoC " + r.boot.soc;
  fmt::print("boot:    {}\n", boot);
}

void print_envs(const InspectReport& r, bool color) {
  for (const auto& e : r.envs) {
    fmt::print("env:     {} {} {} CRC {}{}\n", hex(e.offset),
               e.redundant ? fmt::format("redundant (flags {})", e.flags) : "single", format_size(e.size),
               e.crc_ok ? "ok" : paint(color, kRed, "BAD"), e.vars.empty() ? "" : ":");
    for (const char* k : {"bootargs", "bootcmd", "mtdparts", "ethaddr", "soc"})
      if (const std::string* v = e.get(k)) fmt::print("           {}={}\n", k, *v);
    for (const auto& [k, v] : e.vars)
      if (image::is_secret_key(k)) fmt::print("           {}={}\n", k, v);
  }
  if (r.envs.empty()) fmt::print("env:     none found\n");
}

// The layout, one line per part, then what the checks prove part by part (inspect_proof.cpp).
void print_parts(const InspectReport& r, bool color) {
  fmt::print("layout:  {}{} ({})\n", r.layout.known.empty() ? "unknown layout" : r.layout.known,
             r.layout.mtdparts.empty() ? "" : ": " + r.layout.mtdparts,
             r.layout.source == "inferred" ? "inferred from signatures" : "from " + r.layout.source);
  fmt::print("  {:<10} {:>10} {:>10}  {:<11} {:<4} {}\n", "PART", "OFFSET", "SIZE", "CONTENT", "OK", "DETAILS");
  for (const auto& p : r.parts)
    fmt::print("  {:<10} {:>10} {:>10}  {:<11} {} {}\n", p.name, hex(p.offset), format_size(p.size), p.content,
               p.overlapping ? "-   "
               : p.ok        ? "ok  "
                             : paint(color, kRed, "BAD "),
               p.summary);
  fmt::print(
      "proof:   what a checksum covers in each part (a clean verdict is not proof the dump equals the\n"
      "         flash: that is the device's CRC taken while dumping)\n");
  for (const auto& p : r.parts) {
    if (p.proof.empty()) continue;
    const int c = p.proof == "checksum" ? kGreen : p.proof == "none" ? 0 : kYellow;
    fmt::print("  {:<10} {} {}\n", p.name, paint(color && c, c, fmt::format("{:<10}", p.proof)), p.proof_detail);
  }
}

void print_table(const InspectReport& r, const InspectArgs& a) {
  const bool color = use_color();
  fmt::print("image:   {} {} ({} bytes){}{}\n", a.image, format_size(r.size), r.size,
             r.flash_size ? ", a flash size" : ", NOT a flash size",
             r.mirror_of ? fmt::format(", mirrored every {}", format_size(*r.mirror_of)) : "");
  print_ranges("blank:", r.blank);
  print_ranges("zero:", r.zero);
  print_boot(r, color);
  print_envs(r, color);
  print_parts(r, color);
  fmt::print("map:     [{}]\n", map_line(r, a.width, color));
  fmt::print("         B boot  E env  K kernel  R rootfs  D data  o other  . blank  0 zero  ! problem\n");
  for (const auto& p : r.problems) fmt::print("{} {}\n", paint(color, kRed, "problem:"), p.text());
  fmt::print("{}\n", paint(color, r.ok() ? kGreen : kRed,
                           fmt::format("verdict: {}", r.ok() ? "OK"
                                                             : fmt::format("{} problem{}", r.problems.size(),
                                                                           r.problems.size() == 1 ? "" : "s"))));
}

void run(const InspectArgs& a, Context& ctx) {
  if (!a.svg.empty()) check_output_path(a.svg, {.force = a.force, .option = "--svg"});  // before the image is read
  image::InspectOptions opt;
  if (!a.layout.empty()) opt.layout = a.layout;
  opt.show_secrets = a.show_secrets;
  opt.read_files = !a.quick;
  opt.cancel = ctx.cancel;
  if (a.width < 8 || a.width > 1000) fail(ErrorKind::Usage, "--width must be between 8 and 1000");
  const std::vector<uint8_t> data = read_inspect_input(a.image, ctx.cancel);
  const InspectReport r = image::inspect(data, opt);
  if (!a.svg.empty()) {
    const std::string svg = image::flash_map_svg(r, a.image);
    write_file_atomic(a.svg, {reinterpret_cast<const uint8_t*>(svg.data()), svg.size()});
    ctx.reporter.log(LogLevel::Info, fmt::format("wrote {}", a.svg));
  }
  if (a.json) fmt::print("{}\n", inspect_report_json(r, a.image).dump(2));
  else print_table(r, a);
  ctx.exit_code = r.ok() ? 0 : 1;
}

}  // namespace

void register_inspect(Command app, Context& ctx) {
  auto a = std::make_shared<InspectArgs>();
  Command c =
      add_command(app, "inspect",
                  "Check a flash dump with every checksum its formats carry: size (flash size? mirror? blank/zero\n"
                  "ranges), boot (Ingenic SPL CRC7 as the boot ROM checks it, the U-Boot uImage CRCs and its LZO\n"
                  "payload decoded, U-Boot version, SoC), U-Boot environments (CRC, bootargs, mtdparts; secrets\n"
                  "masked), the partition layout (mtdparts from the env/bootargs/image or --layout, else\n"
                  "inferred) and every part: uImage CRCs and the kernel's lzma/gzip/xz payload decoded to its end,\n"
                  "squashfs read in full through libsquashfs, JFFS2 node CRCs, UBI EC/VID header CRCs, volume\n"
                  "table, static-volume data CRCs and each volume's content. Says per part which bytes a checksum\n"
                  "proves and which were only recognised (a squashfs block stored uncompressed has no checksum).\n"
                  "It cannot prove a dump equals the flash: the device CRC taken during the dump does that.\n"
                  "Each problem names the part and the offset. Exit 0 only when no problem was found.");
  c.option("IMAGE", a->image,
           "Flash image to check (a full-chip dump; a pipe or /dev/stdin is read up to the largest "
           "flash size known)")
      .required();
  c.flag("--json", a->json, "Print only a JSON document on stdout (schema: docs/inspect-json.md)");
  c.option("--layout", a->layout,
           "Partition layout to check against instead of the image's own, as mtdparts=ID:SIZE(NAME),...");
  c.option("--svg", a->svg, "Also write the flash map as an SVG file with offsets and sizes labelled");
  c.flag("--force", a->force, "Replace an existing --svg file");
  c.flag("--show-secrets", a->show_secrets, "Show password/key-like env values instead of ********");
  c.flag("--quick", a->quick, "Skip reading every squashfs file (checks only headers and CRCs)");
  c.option("--width", a->width, "Cells in the terminal map (default 64)");
  c.on_run([a, &ctx] { run(*a, ctx); });
}

}  // namespace camdump::cli
