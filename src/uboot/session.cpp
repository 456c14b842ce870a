// SPDX-License-Identifier: MIT
// UbootSession: command framing, prompt tracking and reset detection (see session.hpp).
// Attach, baud dialogue and device facts live in session_attach.cpp.
#include "uboot/session.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "uboot/crc32_output.hpp"

namespace camdump::uboot {
namespace {

// The reply as lines: the first is the echo of `cmd` (dropped; a damaged one is logged and
// kept when output joined it), the last is the prompt (not a line: no line end).
std::vector<std::string> reply_lines(const std::string& buf, std::string_view cmd, Reporter& rep) {
  std::vector<std::string> lines;
  size_t pos = 0;
  bool first = true;
  for (size_t nl; (nl = buf.find('\n', pos)) != std::string::npos; pos = nl + 1) {
    std::string_view l(buf.data() + pos, nl - pos);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (first) {
      first = false;
      if (l.ends_with(cmd)) continue;  // the echo (possibly after a stray prompt)
      if (size_t at = l.find(cmd); at != std::string_view::npos && l.size() > at + cmd.size()) {
        lines.emplace_back(l.substr(at + cmd.size()));  // the echo's line end was lost
        continue;
      }
      rep.log(LogLevel::Debug, fmt::format("echo damaged: '{}'", l));
      const bool joined = l.size() > 9 && l[8] == ':';  // the echo's line end was lost and output joined it
      if (!joined) continue;
    }
    lines.emplace_back(l);
  }
  return lines;
}

}  // namespace

size_t MdBlock::bad_lines() const { return static_cast<size_t>(std::count(good.begin(), good.end(), uint8_t{0})); }

UbootSession::UbootSession(io::Transport& t, Reporter& rep, const CancelFlag* cancel, SessionOptions opt)
    : t_(t), rep_(rep), cancel_(cancel), opt_(std::move(opt)) {}

void UbootSession::send(std::string_view bytes) {
  if (opt_.transcript) opt_.transcript(true, bytes);
  t_.write(bytes);
}

size_t UbootSession::read_some(std::chrono::milliseconds timeout) {
  std::array<uint8_t, 8192> tmp;
  size_t n = t_.read(tmp, timeout);
  if (n) {
    std::string_view got(reinterpret_cast<const char*>(tmp.data()), n);
    if (opt_.transcript) opt_.transcript(false, got);
    buf_.append(got);
  }
  return n;
}

bool UbootSession::at_prompt_tail() const {
  if (opt_.prompt) return ends_with_prompt(buf_, *opt_.prompt);
  return ends_with_prompt(buf_, info_.prompt);
}

void UbootSession::drain(std::chrono::milliseconds quiet) {
  while (read_some(quiet) > 0) {}
}

// Ctrl-C aborts a running md at the next line and, at the prompt, prints "<INTERRUPT>" and a new
// prompt (common/console.c ctrlc(), cli_readline). Either way a prompt comes back.
bool UbootSession::resync() {
  for (int attempt = 0; attempt < 3; ++attempt) {
    buf_.clear();
    send("\x03");
    auto deadline = std::chrono::steady_clock::now() + 1500ms;
    while (std::chrono::steady_clock::now() < deadline) {
      if (read_some(200ms) == 0) {
        if (at_prompt_tail()) {
          buf_.clear();
          return true;
        }
        if (buf_.empty()) break;  // nothing at all: try another Ctrl-C
      } else if (at_prompt_tail() && read_some(30ms) == 0) {
        buf_.clear();
        return true;
      }
    }
  }
  return false;
}

// Each newly completed line since `scan` checked for a reboot (banner or autoboot text); `scan`
// moves past them. Throws ConsoleLost(Reset), leaving the boot log in buf_ for attach() (it needs
// the countdown text).
void UbootSession::check_for_reboot(size_t& scan, std::string_view cmd, bool banner_ok) {
  for (size_t nl; (nl = buf_.find('\n', scan)) != std::string::npos; scan = nl + 1) {
    std::string_view line(buf_.data() + scan, nl - scan);
    if (line.size() > 9 && line[8] == ':' && line.size() < 90) continue;  // an md line
    if (banner_ok ? find_autoboot(line) != AutobootKind::None : find_boot_banner(line)) {
      buf_.erase(0, scan);
      throw ConsoleLost(ConsoleLost::Why::Reset, "the camera rebooted during '" + std::string(cmd) + "'");
    }
  }
  // A stock countdown ("Hit any key to stop autoboot:  1 ") has no line end until it expires.
  if (buf_.size() - scan < 200 && find_autoboot(std::string_view(buf_).substr(scan)) != AutobootKind::None) {
    buf_.erase(0, scan);
    throw ConsoleLost(ConsoleLost::Why::Reset, "the camera rebooted during '" + std::string(cmd) + "'");
  }
}

// The command is quiet past the first 250 ms: wait out the rest of `idle_timeout` in slices (so
// cancel stays responsive). Returns once output arrives; throws ConsoleLost when none does
// (Reset when the camera was seen rebooting, else Silent).
void UbootSession::wait_more(std::chrono::milliseconds idle_timeout, size_t scan, std::string_view cmd) {
  size_t n = 0;
  auto waited = std::chrono::milliseconds(250);
  while (waited < idle_timeout && n == 0) {
    check_cancel(cancel_);
    n = read_some(std::min<std::chrono::milliseconds>(250ms, idle_timeout - waited));
    waited += 250ms;
  }
  if (n != 0) return;
  if (find_boot_banner(std::string_view(buf_).substr(scan)) || find_linux(buf_))
    throw ConsoleLost(ConsoleLost::Why::Reset, "the camera rebooted during '" + std::string(cmd) + "'");
  throw ConsoleLost(ConsoleLost::Why::Silent,
                    fmt::format("no prompt after '{}' ({} ms without output)", cmd, idle_timeout.count()));
}

std::vector<std::string> UbootSession::run(std::string_view cmd) { return run(cmd, opt_.idle_timeout); }

std::vector<std::string> UbootSession::run(std::string_view cmd, std::chrono::milliseconds idle_timeout) {
  if (cmd.empty()) fail(ErrorKind::Usage, "refusing to send an empty line (it repeats the last command)");
  check_cancel(cancel_);
  if (!buf_.empty()) {  // unsolicited output since the last prompt: a reboot?
    read_some(0ms);
    if (find_boot_banner(buf_)) throw ConsoleLost(ConsoleLost::Why::Reset, "the camera rebooted");
    buf_.clear();
  }
  send(std::string(cmd) + "\r");
  const bool banner_ok = cmd == "version";  // prints "U-Boot 20xx.xx (...)" itself
  size_t scan = 0;                          // start of the first line not yet checked for a reboot banner
  bool at_tail = false;
  for (;;) {
    if (cancel_ && cancel_->load()) {
      send("\x03");  // stop a running md so the camera is left at its prompt
      resync();
      check_cancel(cancel_);
    }
    // Prompt at a line start with nothing more already waiting: the command has finished. (md
    // lines start with their address, so a line that begins with the prompt is the prompt.)
    size_t n = read_some(at_tail ? 0ms : std::min<std::chrono::milliseconds>(idle_timeout, 250ms));
    if (n == 0) {
      if (at_tail) break;
      // Quiet, and the end looks like the prompt with a character or two damaged by line noise:
      // Ctrl-C confirms it (an exact prompt comes back) and the output stands as received.
      if (size_t k = damaged_prompt_tail(buf_, info_.prompt); k && confirm_prompt(k, cmd)) break;
      wait_more(idle_timeout, scan, cmd);
    }
    check_for_reboot(scan, cmd, banner_ok);
    at_tail = at_prompt_tail();
  }
  std::vector<std::string> lines = reply_lines(buf_, cmd, rep_);
  buf_.clear();
  return lines;
}

// A prompt damaged by line noise (damaged_prompt_tail) is confirmed by Ctrl-C: at the prompt
// U-Boot prints "<INTERRUPT>" and the prompt again (common/main.c main_loop). Up to three tries, as
// the answer may be damaged too. On success the damaged prompt (the last `k` characters) is cut
// off and the reply dropped, so the command's output reads as if the prompt had been clean.
bool UbootSession::confirm_prompt(size_t k, std::string_view cmd) {
  const size_t cut = buf_.size();
  for (int attempt = 0; attempt < 3; ++attempt) {
    send("\x03");
    for (int i = 0; i < 8; ++i) {
      size_t n = read_some(250ms);
      std::string_view reply = std::string_view(buf_).substr(cut);
      if (find_banner_line(reply)) {
        buf_.erase(0, cut);
        throw ConsoleLost(ConsoleLost::Why::Reset, "the camera rebooted during '" + std::string(cmd) + "'");
      }
      if (n == 0 && ends_with_prompt(reply, info_.prompt)) {
        buf_.resize(cut - k);
        if (!buf_.empty() && buf_.back() != '\n') buf_ += '\n';  // the prompt had lost its line start
        rep_.log(LogLevel::Debug, fmt::format("prompt damaged by noise after '{}'; confirmed with Ctrl-C", cmd));
        ++noisy_prompts_;
        return true;
      }
      if (n == 0) break;  // quiet without the prompt: another Ctrl-C
    }
  }
  buf_.resize(cut);  // no confirmation: leave it to the idle timeout (reboot or silence)
  return false;
}

bool UbootSession::has_command(std::string_view name) {
  if (!help_) {
    std::vector<std::string> names;
    for (const auto& l : run("help")) {
      std::string_view s = l;
      while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
      size_t e = s.find_first_of(" \t");
      if (e == std::string_view::npos || e == 0) continue;
      // cmd/help.c prints "%-*s- %s" with CONFIG_SYS_HELP_CMD_WIDTH (8 on the Ingenic builds): a
      // name of 8 or more characters runs into the dash ("tftpboot- boot image via network").
      if (const std::string_view w = s.substr(0, e); w.size() > 1 && w.back() == '-') {
        names.emplace_back(w.substr(0, w.size() - 1));
        continue;
      }
      if (s.substr(e).find("- ") == std::string_view::npos) continue;
      names.emplace_back(s.substr(0, e));
    }
    if (names.empty()) {  // noise ate the list: ask once more before trusting it
      for (const auto& l : run("help")) {
        std::string_view s = l;
        size_t e = s.find_first_of(" \t");
        if (e != std::string_view::npos && e > 0) names.emplace_back(s.substr(0, e));
      }
    }
    help_ = std::move(names);
  }
  return std::find(help_->begin(), help_->end(), name) != help_->end();
}

bool UbootSession::disable_watchdog() {
  if (!has_command("watchdog")) return false;
  run("watchdog 0");  // stock T31: "watchdog close!" (docs/reference/uboot-console.md#watchdog)
  rep_.log(LogLevel::Info, "watchdog disabled (watchdog 0)");
  return true;
}

std::optional<uint32_t> UbootSession::crc32(uint64_t addr, uint64_t len) {
  auto lines = run(fmt::format("crc32 {:x} {:x}", addr, len));
  return find_crc32(lines, addr, len);
}

void UbootSession::learn_md_dialect(std::string_view line) {
  if (md_dialect_known_ || line.size() < 40) return;
  // The ASCII column is the last 16 characters of a full line; old U-Boots put 4 spaces before it.
  std::string_view before = line.substr(0, line.size() - 16);
  info_.md_dialect = before.ends_with("    ") ? MdDialect::Old : MdDialect::Modern;
  md_dialect_known_ = true;
}

MdBlock UbootSession::read_md(uint64_t addr, uint64_t len, MdWidth width, Endian endian) {
  if (addr % 16 || len % 16 || len == 0) fail(ErrorKind::Usage, "md reads must be 16-byte aligned");
  MdBlock b;
  b.addr = addr;
  b.data.assign(len, 0);
  b.good.assign(len / 16, 0);
  std::vector<uint8_t> seen(len / 16, 0);
  char suffix = width == 4 ? 'l' : width == 2 ? 'w' : 'b';
  auto lines = run(fmt::format("md.{} {:x} {:x}", suffix, addr, len / width));
  MdLine ml;
  for (const auto& l : lines) {
    if (parse_md_line(l, endian, ml) != MdParse::Ok) continue;
    if (ml.width != width || ml.count != 16 || ml.addr < addr || ml.addr >= addr + len || (ml.addr - addr) % 16)
      continue;
    learn_md_dialect(l);
    size_t i = (ml.addr - addr) / 16;
    uint8_t* dst = &b.data[i * 16];
    if (seen[i]) {  // the same address twice (noise-made duplicate): keep it only if identical
      if (!std::equal(ml.bytes.begin(), ml.bytes.end(), dst)) b.good[i] = 0;
      continue;
    }
    seen[i] = 1;
    std::copy(ml.bytes.begin(), ml.bytes.end(), dst);
    b.good[i] = 1;
  }
  return b;
}

MdWidth UbootSession::probe_md_width(uint64_t addr) {
  for (MdWidth w : {4u, 2u, 1u}) {
    for (int attempt = 0; attempt < 3; ++attempt) {
      if (read_md(addr, 16, w).good[0]) return w;
    }
  }
  fail(ErrorKind::Unsupported, fmt::format("md prints nothing readable at 0x{:x}", addr),
       "check --buffer/--mapped: the address must be readable RAM or flash");
}

SfProbe UbootSession::sf_probe(std::string_view args) {
  if (!has_command("sf"))
    fail(ErrorKind::Unsupported, "this U-Boot has no 'sf' command",
         "use --mapped ADDR (memory-mapped flash) or a --load TEMPLATE for this board");
  SfProbe p;
  for (int attempt = 0; attempt < 3; ++attempt) {
    p = parse_sf_probe(run("sf probe " + std::string(args), std::max(opt_.idle_timeout, 10000ms)));
    if (p.ok() || !p.error.empty()) break;  // a failure line is an answer: do not ask again
  }
  if (!p.ok())
    fail(ErrorKind::Protocol, "sf probe failed" + (p.error.empty() ? std::string() : ": " + p.error),
         "check that the flash is SPI NOR on bus 0; a different bus/cs goes into --load");
  return p;
}

}  // namespace camdump::uboot
