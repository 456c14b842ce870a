// SPDX-License-Identifier: MIT
// `camdump hexlog LOG... -o OUT`: terminal log(s) of U-Boot md.b/md.w/md.l output -> binary.
// Exit 0 only when every byte of the target range was read by confirmed, well-formed lines (and
// no crc32 in the logs disagrees). Otherwise exit 1, every missing or doubtful range named, nothing
// written unless --allow-gaps, and, last on stdout, the U-Boot commands that re-read exactly those
// ranges (the original log plus the repair log then give the image).
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <csignal>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/commands.hpp"
#include "core/crc32.hpp"
#include "core/output_path.hpp"
#include "core/size.hpp"
#include "dump/hexlog.hpp"
#include "dump/hexlog_write.hpp"

namespace camdump::cli {
namespace {

// The largest flash a camera has (a 4 Gbit SPI NAND) and the most log characters one of its
// bytes can plausibly take (md.b: 79 characters per 16 bytes; logger timestamps, colour codes and
// re-reads multiply that): a longer input is not a console log (e.g. /dev/zero on stdin).
constexpr uint64_t kLargestFlash = 512ull << 20;
constexpr uint64_t kMaxLogBytes = kLargestFlash * 16;

struct HexlogArgs {
  std::vector<std::string> logs;
  std::string out, endian = "little";
  std::optional<uint64_t> start, size;
  uint64_t fill = 0xff;
  bool allow_gaps = false, json = false, force = false;
};

volatile std::sig_atomic_t g_signal = 0;
struct sigaction g_old_term {};

// SIGTERM: remember it (exit 143 instead of Ctrl-C's 130), then do what main's handler does.
void on_term(int sig) {
  g_signal = sig;
  if (g_old_term.sa_handler != SIG_DFL && g_old_term.sa_handler != SIG_IGN) g_old_term.sa_handler(sig);
}

std::string range_text(uint64_t addr, uint64_t size) {
  return fmt::format("{}..{} ({} bytes)", hex(addr, 8), hex(addr + size - 1, 8), size);
}

std::string where(const std::vector<std::string>& logs, unsigned src, uint64_t line) {
  return logs.size() > 1 ? fmt::format("{}:{}", src < logs.size() ? logs[src] : "?", line) : fmt::format("{}", line);
}

std::string issue_text(const dump::HexlogIssue& is, const std::vector<std::string>& logs) {
  using K = dump::HexlogIssue::Kind;
  const std::string r = range_text(is.addr, is.size);
  std::string s;
  switch (is.kind) {
    case K::Lost:
      s = fmt::format("{}: line(s) lost between log lines {} and {}", r, where(logs, is.source, is.line),
                      where(logs, is.source, is.line_end));
      break;
    case K::Corrupt:
      s = is.line == is.line_end
              ? fmt::format("{}: damaged md line (log line {})", r, where(logs, is.source, is.line))
              : fmt::format("{}: damaged md lines (log lines {}..{})", r, where(logs, is.source, is.line), is.line_end);
      break;
    case K::Unconfirmed:
      s = fmt::format("{}: log line {} shows this address but no line next to it confirms it (not used)", r,
                      where(logs, is.source, is.line));
      break;
    case K::Conflict:
      s = fmt::format("{}: log line {} differs from the earlier read at log line {}", r,
                      where(logs, is.source, is.line), where(logs, is.other_source, is.other_line));
      break;
    case K::CrcMismatch:
      s = fmt::format("{}: the camera's crc32 (log line {}) is {}, the bytes read give {}", r,
                      where(logs, is.source, is.line), crc_hex(is.crc_log), crc_hex(is.crc_read));
      break;
  }
  if (is.recovered && is.kind != K::CrcMismatch && is.kind != K::Unconfirmed) s += " — recovered from another read";
  return s;
}

const char* target_text(dump::TargetFrom t) {
  switch (t) {
    case dump::TargetFrom::Options: return "from --start/--size";
    case dump::TargetFrom::Commands: return "from the md commands in the log";
    case dump::TargetFrom::Lines:
      return "from the md lines in the log (no md command echoed: a lost first or last line cannot be seen; pass "
             "--start/--size)";
    case dump::TargetFrom::None: break;
  }
  return "";
}

const char* crc_state(dump::HexlogCrc::State st) {
  switch (st) {
    case dump::HexlogCrc::State::Verified: return "verified";
    case dump::HexlogCrc::State::Mismatch: return "mismatch";
    case dump::HexlogCrc::State::Superseded: return "superseded";
    case dump::HexlogCrc::State::Unchecked: return "unchecked";
    case dump::HexlogCrc::State::Outside: return "outside";
  }
  return "?";
}

std::vector<std::string> repair_commands(const dump::HexlogSummary& s) {
  std::vector<std::string> cmds;
  for (const auto& r : s.repair) {
    cmds.push_back(fmt::format("md.b {} {}", hex(r.addr), hex(r.size)));
    cmds.push_back(fmt::format("crc32 {} {}", hex(r.addr), hex(r.size)));
  }
  return cmds;
}

dump::HexlogOptions hexlog_options(const HexlogArgs& a, Context& ctx) {
  dump::HexlogOptions opt;
  opt.endian = a.endian == "big" ? uboot::Endian::Big : uboot::Endian::Little;  // CLI11 checked the choice
  opt.start = a.start;
  if (a.size) {
    if (*a.size == 0) fail(ErrorKind::Usage, "--size must not be 0");
    opt.size = a.size;
  }
  opt.reporter = &ctx.reporter;
  opt.cancel = ctx.cancel;
  opt.max_log_bytes = kMaxLogBytes;
  return opt;
}

// What the logs gave, refused when it cannot be a flash image.
void check_found(const HexlogArgs& a, const dump::HexlogOptions& opt, const dump::HexlogSummary& s) {
  if (s.size == 0)
    fail(ErrorKind::Corrupt, "no U-Boot md output found in the log" + std::string(a.logs.size() > 1 ? "s" : ""),
         s.outside_lines ? "all md lines lie outside --start/--size"
                         : "capture md.b/md.w/md.l output, e.g. md.b 0x80600000 0x1000000");
  if (!opt.size && s.size > (4ull << 30))
    fail(ErrorKind::Corrupt,
         fmt::format("the md lines span {} .. {}, more than any flash chip", hex(s.start), hex(s.start + s.size - 1)),
         "a garbled address or an unrelated md command is in the log: pass --start and --size");
}

// The outcome the report prints: whether OUT was written and with which hashes.
struct Outcome {
  bool ok = false, written = false;
  std::string sha, crc;
  std::vector<std::string> repair;
};

nlohmann::json ranges_json(const std::vector<dump::AddrRange>& v) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& r : v) a.push_back({{"addr", hex(r.addr, 8)}, {"size", r.size}});
  return a;
}

nlohmann::json issues_json(const HexlogArgs& a, const dump::HexlogSummary& s) {
  nlohmann::json issues = nlohmann::json::array();
  for (const auto& is : s.issues) {
    nlohmann::json ij = {{"kind", dump::issue_kind_name(is.kind)},
                         {"addr", hex(is.addr, 8)},
                         {"size", is.size},
                         {"log", is.source < a.logs.size() ? a.logs[is.source] : ""},
                         {"line", is.line},
                         {"recovered", is.recovered}};
    if (is.line_end != is.line) ij["line_end"] = is.line_end;
    if (is.kind == dump::HexlogIssue::Kind::Conflict) ij["other_line"] = is.other_line;
    issues.push_back(ij);
  }
  return issues;
}

nlohmann::json report_json(const HexlogArgs& a, const dump::HexlogSummary& s, const Outcome& out) {
  nlohmann::json j;
  j["ok"] = out.ok;
  j["written"] = out.written;
  if (out.written) {
    j["output"] = a.out;
    j["sha256"] = out.sha;
    j["crc32"] = out.crc;
  }
  j["start"] = hex(s.start, 8);
  j["size"] = s.size;
  j["end"] = hex(s.start + s.size, 8);
  j["target_from"] = s.target_from == dump::TargetFrom::Options    ? "options"
                     : s.target_from == dump::TargetFrom::Commands ? "md-commands"
                                                                   : "md-lines";
  j["log_bytes"] = s.log_bytes;
  j["lines"] = {{"total", s.lines},
                {"md", s.md_lines},
                {"repeated", s.repeated_lines},
                {"unchecked", s.unchecked_lines},
                {"outside", s.outside_lines},
                {"corrupt", s.corrupt_lines},
                {"unconfirmed", s.unconfirmed_lines},
                {"conflict", s.conflict_lines}};
  nlohmann::json widths = nlohmann::json::array();
  for (unsigned w : {1u, 2u, 4u})
    if (s.widths & (1u << w)) widths.push_back(w == 1 ? "md.b" : w == 2 ? "md.w" : "md.l");
  j["formats"] = widths;
  j["gap_bytes"] = s.gap_bytes;
  j["gaps"] = ranges_json(s.gaps);
  j["verified_bytes"] = s.verified_bytes;
  j["verified"] = ranges_json(s.verified);
  j["crc32_results"] = nlohmann::json::array();
  for (const auto& c : s.crcs)
    j["crc32_results"].push_back({{"addr", hex(c.addr, 8)},
                                  {"size", c.size},
                                  {"crc32", crc_hex(c.crc)},
                                  {"line", c.line},
                                  {"state", crc_state(c.state)}});
  j["issues"] = issues_json(a, s);
  j["issues_not_listed"] = s.issues_dropped;
  j["repair"] = out.repair;
  return j;
}

// What the bytes rest on: the camera's crc32, or only the md line format (ASCII column).
void print_verified(const HexlogArgs& a, const dump::HexlogSummary& s) {
  if (s.crcs.empty()) {
    fmt::print(
        "verified: none — no crc32 result in the log; the bytes rest on the md format alone (the ASCII column "
        "cannot see a changed digit of a non-printable byte)\n");
    return;
  }
  for (const auto& v : s.verified) fmt::print("verified: {} by the camera's crc32\n", range_text(v.addr, v.size));
  const uint64_t rest = s.size > s.verified_bytes ? s.size - s.verified_bytes : 0;
  if (rest)
    fmt::print("verified: {} of {} not covered by a matching crc32 (md format alone)\n", format_size(rest),
               format_size(s.size));
  for (const auto& c : s.crcs)
    if (c.state == dump::HexlogCrc::State::Unchecked)
      fmt::print("crc32:    {} (log line {}) not checked: bytes of it are missing\n", range_text(c.addr, c.size),
                 where(a.logs, c.source, c.line));
}

void print_report(const HexlogArgs& a, const dump::HexlogSummary& s, const Outcome& out, uint64_t fill) {
  fmt::print("range:    {} .. {} ({}), {}\n", hex(s.start, 8), hex(s.start + s.size - 1, 8), format_size(s.size),
             target_text(s.target_from));
  fmt::print(
      "lines:    {} md lines used of {} ({} identical re-reads, {} without ASCII check, {} outside range, "
      "{} damaged, {} unconfirmed)\n",
      s.md_lines, s.lines, s.repeated_lines, s.unchecked_lines, s.outside_lines, s.corrupt_lines, s.unconfirmed_lines);
  for (const auto& is : s.issues)
    fmt::print("issue:    {} {}\n", dump::issue_kind_name(is.kind), issue_text(is, a.logs));
  if (s.issues_dropped) fmt::print("issue:    ... and {} more not listed\n", s.issues_dropped);
  for (const auto& g : s.gaps)
    fmt::print("gap:      {}{}\n", range_text(g.addr, g.size),
               out.written ? fmt::format(", written as {}", hex(fill, 2)) : "");
  print_verified(a, s);
  if (out.ok) {
    fmt::print("wrote {}: {} ({} bytes), crc32 {}, sha256 {}\n", a.out, format_size(s.size), s.size, out.crc, out.sha);
    return;
  }
  if (out.written)
    fmt::print("wrote {} WITH GAPS: {} of {} never read, {} crc32 failure(s), crc32 {}, sha256 {}\n", a.out,
               format_size(s.gap_bytes), format_size(s.size), s.crc_failures, out.crc, out.sha);
  else
    fmt::print("incomplete: {} missing, {} crc32 failure(s); nothing written (--allow-gaps writes what was read)\n",
               format_size(s.gap_bytes), s.crc_failures);
  fmt::print(
      "repair:   with the image still in RAM at these addresses, paste these at the U-Boot prompt while "
      "logging to a new file, then run: camdump hexlog {} REPAIR.log -o {}\n",
      fmt::join(a.logs, " "), a.out);
  for (const auto& c : out.repair) fmt::print("{}\n", c);
}

void run(const HexlogArgs& a, Context& ctx) {
  check_output_path(a.out, {.force = a.force});  // before the log is read
  const dump::HexlogOptions opt = hexlog_options(a, ctx);
  dump::HexlogReader reader(opt);
  for (const auto& log : a.logs) reader.read_path(log);
  const dump::HexlogSummary s = reader.finish();
  if (s.size == 0 && a.json) {
    fmt::print("{}\n", nlohmann::json{{"ok", false}, {"error", "no md lines found"}}.dump(2));
    ctx.exit_code = 1;
    return;
  }
  check_found(a, opt, s);
  Outcome out;
  out.ok = s.complete();
  out.written = out.ok || a.allow_gaps;
  if (out.written) {
    const dump::WrittenImage w = dump::write_hexlog_image(reader, s.start, s.size, static_cast<uint8_t>(a.fill),
                                                          /*as_read=*/true, a.out, ctx.cancel);
    out.sha = w.sha256;
    out.crc = crc_hex(w.crc32);
  }
  if (!out.ok) out.repair = repair_commands(s);
  ctx.exit_code = out.ok ? 0 : 1;
  if (a.json) fmt::print("{}\n", report_json(a, s, out).dump(2));
  else print_report(a, s, out, a.fill);
}

}  // namespace

void register_hexlog(Command app, Context& ctx) {
  auto a = std::make_shared<HexlogArgs>();
  Command c =
      add_command(app, "hexlog",
                  "Convert a terminal log of U-Boot md.b/md.w/md.l output into the binary it shows.\n"
                  "Reads real logs: CR LF or LF, ANSI escapes, logger timestamps, prompts and echoed commands,\n"
                  "several md runs and re-reads, the 4-space (U-Boot <= 2021.07) and 2-space ASCII column,\n"
                  "short last lines. A line counts only when its ASCII column agrees with its hex and the md\n"
                  "line next to it (or the echoed md command) confirms its address; a lost, duplicated or\n"
                  "merged line costs only the damaged lines. The range is --start/--size, else the echoed md\n"
                  "commands, else the md lines seen. crc32 results in the log are checked. Exit 0 only when\n"
                  "every byte of the range was read; otherwise every missing or doubtful range is named,\n"
                  "nothing is written unless --allow-gaps, and the U-Boot commands re-reading just those\n"
                  "ranges are printed last: pass the original and the repair log together.");
  c.option("LOG", a->logs, "Log file(s) in any order; '-' reads stdin").required();
  c.option("-o,--output", a->out, "Output image (written as OUT.part, renamed when complete, mode 0600)").required();
  c.flag("--force", a->force, "Replace an existing OUT (otherwise refused, naming its size and date)");
  c.option("--endian", a->endian, "Byte order of md.w/md.l words: little (default; Ingenic T-series) or big")
      .choices({"little", "big"});
  c.number("--start", a->start,
           "First address of the output (hex 0x... or decimal; default: from the md commands, else the lines)");
  c.size("--size", a->size, "Output size (16M, 0x1000000, ...; default: from the md commands, else the lines)");
  c.flag("--allow-gaps", a->allow_gaps,
         "Write the image anyway: every byte read as read, bytes never read as --fill (still exits 1)");
  c.number("--fill", a->fill, "Byte for never-read bytes with --allow-gaps (default 0xff, erased flash)")
      .range(0, 0xff);
  c.flag("--json", a->json, "Print the report as JSON on stdout");
  c.on_run([a, &ctx] {
    struct sigaction sa {};
    sa.sa_handler = on_term;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, &g_old_term);
    try {
      run(*a, ctx);
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::Cancelled && g_signal == SIGTERM) {
        std::fflush(stdout);
        std::fprintf(stderr, "camdump: error: terminated (SIGTERM); nothing written\n");
        ctx.exit_code = 143;
        return;
      }
      throw;
    }
  });
}

}  // namespace camdump::cli
