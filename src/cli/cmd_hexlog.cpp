// SPDX-License-Identifier: MIT
// `camdump hexlog LOG... -o OUT`: terminal log(s) of U-Boot md.b/md.w/md.l output -> binary.
// Reports the covered range, every gap and every corrupt/conflicting line by address; with gaps
// it exits 1 and writes nothing unless --allow-gaps.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "core/crc32.hpp"
#include "core/output_path.hpp"
#include "core/size.hpp"
#include "dump/hexlog.hpp"
#include "dump/hexlog_write.hpp"

namespace camdump::cli {
namespace {

struct HexlogArgs {
  std::vector<std::string> logs;
  std::string out, endian = "little", start, size, fill = "0xff";
  bool allow_gaps = false, json = false, force = false;
};

std::string issue_text(const dump::HexlogIssue& is, const std::vector<std::string>& logs) {
  auto where = [&](unsigned src, uint64_t line) {
    return logs.size() > 1 ? fmt::format("{}:{}", src < logs.size() ? logs[src] : "?", line)
                           : fmt::format("line {}", line);
  };
  std::string s = fmt::format("{} at {} ({})", dump::issue_kind_name(is.kind), hex(is.addr, 8), where(is.source, is.line));
  if (is.kind == dump::HexlogIssue::Kind::Conflict)
    s += fmt::format(": differs from the earlier read at {}", where(is.other_source, is.other_line));
  else if (is.recovered)
    s += ": recovered from another read";
  return s;
}

void run(const HexlogArgs& a, Context& ctx) {
  check_output_path(a.out, {.force = a.force});  // before the log is read
  dump::HexlogOptions opt;
  if (a.endian == "little") opt.endian = uboot::Endian::Little;
  else if (a.endian == "big") opt.endian = uboot::Endian::Big;
  else fail(ErrorKind::Usage, fmt::format("--endian must be little or big, not '{}'", a.endian));
  if (!a.start.empty()) opt.start = number_arg("--start", a.start);
  if (!a.size.empty()) {
    opt.size = size_arg("--size", a.size);
    if (*opt.size == 0) fail(ErrorKind::Usage, "--size must not be 0");
  }
  const uint64_t fill = number_arg("--fill", a.fill);
  if (fill > 0xff) fail(ErrorKind::Usage, fmt::format("--fill must be a byte (0..0xff), not {}", a.fill));
  opt.reporter = &ctx.reporter;
  opt.cancel = ctx.cancel;

  dump::HexlogReader reader(opt);
  for (const auto& log : a.logs) reader.read_path(log);
  const dump::HexlogSummary s = reader.finish();

  nlohmann::json j;
  if (s.size == 0) {
    if (a.json) {
      j["ok"] = false;
      j["error"] = "no md lines found";
      fmt::print("{}\n", j.dump(2));
      ctx.exit_code = 1;
      return;
    }
    fail(ErrorKind::Corrupt, "no U-Boot md output found in the log" + std::string(a.logs.size() > 1 ? "s" : ""),
         s.outside_lines ? "all md lines lie outside --start/--size" : "capture md.b/md.w/md.l output, e.g. md.b 0x80600000 0x1000000");
  }
  if (!opt.size && s.size > (4ull << 30))
    fail(ErrorKind::Corrupt,
         fmt::format("the md lines span {} .. {}, more than any flash chip", hex(s.start), hex(s.start + s.size - 1)),
         "a garbled address or an unrelated md run is in the log: pass --start and --size");
  const bool write = s.complete() || a.allow_gaps;
  std::string sha, crc_text;
  if (write) {
    const dump::WrittenImage w =
        dump::write_hexlog_image(reader, s.start, s.size, static_cast<uint8_t>(fill), a.out, ctx.cancel);
    sha = w.sha256;
    crc_text = crc_hex(w.crc32);
  }

  if (a.json) {
    j["ok"] = s.complete();
    j["written"] = write;
    if (write) {
      j["output"] = a.out;
      j["sha256"] = sha;
      j["crc32"] = crc_text;
    }
    j["start"] = hex(s.start, 8);
    j["size"] = s.size;
    j["end"] = hex(s.start + s.size, 8);
    j["log_bytes"] = s.log_bytes;
    j["lines"] = {{"total", s.lines},           {"md", s.md_lines},
                  {"repeated", s.repeated_lines}, {"unchecked", s.unchecked_lines},
                  {"outside", s.outside_lines},   {"corrupt", s.corrupt_lines},
                  {"out_of_sequence", s.sequence_lines}, {"conflict", s.conflict_lines}};
    nlohmann::json widths = nlohmann::json::array();
    for (unsigned w : {1u, 2u, 4u})
      if (s.widths & (1u << w)) widths.push_back(w == 1 ? "md.b" : w == 2 ? "md.w" : "md.l");
    j["formats"] = widths;
    j["gap_bytes"] = s.gap_bytes;
    j["gaps"] = nlohmann::json::array();
    for (const auto& g : s.gaps) j["gaps"].push_back({{"addr", hex(g.addr, 8)}, {"size", g.size}});
    j["issues"] = nlohmann::json::array();
    for (const auto& is : s.issues) {
      nlohmann::json ij = {{"kind", dump::issue_kind_name(is.kind)},
                           {"addr", hex(is.addr, 8)},
                           {"log", is.source < a.logs.size() ? a.logs[is.source] : ""},
                           {"line", is.line},
                           {"recovered", is.recovered}};
      if (is.kind == dump::HexlogIssue::Kind::Conflict) ij["other_line"] = is.other_line;
      j["issues"].push_back(ij);
    }
    j["issues_not_listed"] = s.issues_dropped;
    fmt::print("{}\n", j.dump(2));
    ctx.exit_code = s.complete() ? 0 : 1;
    return;
  }

  fmt::print("range:   {} .. {} ({})\n", hex(s.start, 8), hex(s.start + s.size - 1, 8), format_size(s.size));
  fmt::print("lines:   {} md lines used of {} ({} identical re-reads, {} without ASCII check, {} outside range)\n",
             s.md_lines, s.lines, s.repeated_lines, s.unchecked_lines, s.outside_lines);
  for (const auto& is : s.issues) fmt::print("issue:   {}\n", issue_text(is, a.logs));
  if (s.issues_dropped) fmt::print("issue:   ... and {} more not listed\n", s.issues_dropped);
  for (const auto& g : s.gaps)
    fmt::print("gap:     {} .. {} ({}){}\n", hex(g.addr, 8), hex(g.addr + g.size - 1, 8), format_size(g.size),
               write ? fmt::format(", filled with {}", hex(fill, 2)) : "");
  if (s.complete()) {
    fmt::print("wrote {}: {} ({} bytes), crc32 {}, sha256 {}\n", a.out, format_size(s.size), s.size, crc_text, sha);
  } else if (write) {
    fmt::print("wrote {} WITH GAPS: {} of {} missing, crc32 {}, sha256 {}\n", a.out, format_size(s.gap_bytes),
               format_size(s.size), crc_text, sha);
    ctx.exit_code = 1;
  } else {
    ctx.reporter.log(LogLevel::Error, fmt::format("{} in {} gap(s); nothing written", format_size(s.gap_bytes), s.gaps.size()));
    ctx.reporter.log(LogLevel::Info, fmt::format("hint: re-read the missing ranges (e.g. md.b {} 0x{:x}) and pass "
                                                 "both logs, or use --allow-gaps to write with --fill",
                                                 hex(s.gaps.front().addr), s.gaps.front().size));
    fmt::print("incomplete: {} missing, nothing written\n", format_size(s.gap_bytes));
    ctx.exit_code = 1;
  }
}

}  // namespace

void register_hexlog(CLI::App& app, Context& ctx) {
  auto a = std::make_shared<HexlogArgs>();
  CLI::App* c = app.add_subcommand(
      "hexlog",
      "Convert a terminal log of U-Boot md.b/md.w/md.l output into the binary it shows.\n"
      "Reads real logs: CR LF or LF, ANSI escapes, logger timestamps, prompts and echoed commands,\n"
      "several md runs and overlapping re-reads (identical re-reads are fine, different ones are\n"
      "conflicts), the 4-space (U-Boot <= 2021.07) and 2-space ASCII column, short last lines.\n"
      "The ASCII column is checked against the hex. Every gap, corrupt, out-of-sequence or\n"
      "conflicting line is reported by address; with any gap it exits 1 and writes nothing\n"
      "unless --allow-gaps.");
  c->add_option("LOG", a->logs, "Log file(s) in any order; '-' reads stdin")->required();
  c->add_option("-o,--output", a->out, "Output image (written as OUT.part, renamed when complete, mode 0600)")
      ->required();
  c->add_flag("--force", a->force, "Replace an existing OUT (otherwise refused, naming its size and date)");
  c->add_option("--endian", a->endian,
                "Byte order of md.w/md.l words: little (default; Ingenic T-series) or big");
  c->add_option("--start", a->start, "First address of the output (hex 0x... or decimal; default: lowest in the log)");
  c->add_option("--size", a->size, "Output size (16M, 0x1000000, ...; default: up to the highest address in the log)");
  c->add_flag("--allow-gaps", a->allow_gaps, "Write the image even with gaps, filling them with --fill (still exits 1)");
  c->add_option("--fill", a->fill, "Byte for gaps with --allow-gaps (default 0xff, erased flash)");
  c->add_flag("--json", a->json, "Print the report as JSON on stdout");
  c->callback([a, &ctx] { run(*a, ctx); });
}

}  // namespace camdump::cli
