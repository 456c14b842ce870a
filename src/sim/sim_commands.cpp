// SPDX-License-Identifier: MIT
// Command-line handling of the virtual camera: splitting at ';', $var expansion, command lookup
// (exact or unique prefix, `.b/.w/.l` suffixes), the repeat rule of U-Boot's main loop, and the
// small commands (help, version, coninfo, bdinfo, echo, watchdog, go, reset, boot, sleep).
#include <fmt/core.h>

#include <cstdlib>

#include "core/size.hpp"
#include "sim/sim_machine.hpp"
#include "sim/sim_texts.hpp"

namespace camdump::sim {
namespace {

// Split at ';' outside quotes (both of U-Boot's parsers separate commands this way).
std::vector<std::string> split_commands(const std::string& line) {
  std::vector<std::string> v;
  std::string cur;
  char quote = 0;
  for (char c : line) {
    if (quote) {
      if (c == quote) quote = 0;
      cur += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      cur += c;
    } else if (c == ';') {
      v.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  v.push_back(cur);
  return v;
}

Args tokenize(const std::string& s) {
  Args a;
  std::string cur;
  bool in = false;
  char quote = 0;
  for (char c : s) {
    if (quote) {
      if (c == quote) quote = 0;
      else cur += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in = true;
    } else if (c == ' ' || c == '\t') {
      if (in) a.push_back(cur);
      cur.clear();
      in = false;
    } else {
      cur += c;
      in = true;
    }
  }
  if (in) a.push_back(cur);
  return a;
}

// A job that prints its text once the virtual clock reaches ready_at (sf read, mmc, sleep).
class DelayedText : public Job {
 public:
  DelayedText(std::string text, double at) : text_(std::move(text)) { ready_at = at; }
  bool step(Machine& m, size_t) override {
    m.out(text_);
    return true;
  }

 private:
  std::string text_;
};

// A program started by `go`, run until it returns its rc.
class GoJob : public Job {
 public:
  explicit GoJob(std::unique_ptr<SimProgram> p) : prog_(std::move(p)) {}
  bool step(Machine& m, size_t) override {
    auto rc = prog_->run(m.owner_, m.input(), m.out_buf());
    if (!rc) return false;
    m.out(fmt::format("## Application terminated, rc = 0x{:X}\n", static_cast<uint32_t>(*rc)));
    return true;
  }

 private:
  std::unique_ptr<SimProgram> prog_;
};

}  // namespace

std::string Machine::expand(const std::string& line) const {
  std::string r;
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '\'' && quote != '"') quote = quote ? 0 : '\'';
    if (c == '$' && quote != '\'' && i + 1 < line.size()) {
      size_t j = i + 1;
      std::string name;
      if (line[j] == '{') {
        size_t e = line.find('}', j);
        if (e == std::string::npos) {
          r += c;
          continue;
        }
        name = line.substr(j + 1, e - j - 1);
        i = e;
      } else {
        while (j < line.size() && (std::isalnum(static_cast<unsigned char>(line[j])) || line[j] == '_')) name += line[j++];
        if (name.empty()) {
          r += c;
          continue;
        }
        i = j - 1;
      }
      auto it = env_.find(name);
      if (it != env_.end()) r += it->second;
      continue;
    }
    r += c;
  }
  return r;
}

void Machine::run_line(const std::string& line, bool repeat) {
  ++stats_.commands;
  stats_.history.push_back(line);
  pending_ = split_commands(line);
  line_text_ = line;
  line_ok_ = true;
  line_repeatable_ = true;
  line_repeat_ = repeat;
  continue_line();
}

void Machine::continue_line() {
  while (mode_ == Mode::Prompt && !pending_.empty()) {
    std::string seg = pending_.front();
    pending_.erase(pending_.begin());
    Args a = tokenize(expand(seg));
    if (a.empty()) continue;
    job_ok_ = true;
    if (!run_command(a, line_repeat_)) line_ok_ = false;
  }
  if (mode_ == Mode::Prompt) {
    // main_loop: a failed or non-repeatable command is forgotten; the rest repeats on "".
    last_cmd_ = line_ok_ && line_repeatable_ ? line_text_ : std::string();
    print_prompt();
  }
}

void Machine::usage(const std::string& name) {
  for (const auto& c : command_table(opt_)) {
    if (name == c.name) {
      out(fmt::format("{} - {}\n\nUsage:\n{} {}\n", c.name, c.usage, c.name, c.help));
      return;
    }
  }
}

bool Machine::run_command(Args& a, bool repeat) {
  std::string full = a[0];
  std::string base = full.substr(0, full.find('.'));
  const auto table = command_table(opt_);
  const CmdInfo* found = nullptr;
  int matches = 0;
  for (const auto& c : table) {
    if (base == c.name) {
      found = &c;
      matches = 1;
      break;
    }
    if (std::string_view(c.name).starts_with(base)) {
      found = &c;
      ++matches;
    }
  }
  if (!found || matches != 1 || base.empty()) {
    out(fmt::format("Unknown command '{}' - try 'help'\n", full));
    return false;
  }
  const std::string name = found->name;
  line_repeatable_ = line_repeatable_ && found->repeatable;
  a[0] = name + full.substr(base.size());  // keep the size suffix
  const uint64_t size = a.size();

  if (name == "help" || name == "?") {
    if (size == 1) {
      out(help_list(opt_));
    } else {
      for (size_t i = 1; i < size; ++i) {
        bool known = false;
        for (const auto& c : table)
          if (a[i] == c.name) known = true;
        if (known) usage(a[i]);
        else out(fmt::format("Unknown command '{}' - try 'help' without arguments for list of all known commands\n\n", a[i]));
      }
    }
    return true;
  }
  if (name == "version") {
    out(version_text(opt_));
    return true;
  }
  if (name == "coninfo") {
    out(coninfo_text(opt_));
    return true;
  }
  if (name == "bdinfo") {
    auto env = [&](const char* k, const char* dflt) {
      auto it = env_.find(k);
      return it == env_.end() ? std::string(dflt) : it->second;
    };
    if (opt_.ingenic()) {
      // 2013.07 arch/mips/lib/board.c do_bdinfo: ip_addr prints "<NULL>" when ipaddr is unset.
      out(fmt::format(
          "boot_params = 0x81F6BF60\nmemstart    = 0x{:08X}\nmemsize     = 0x{:08X}\nflashstart  = 0x00000000\n"
          "flashsize   = 0x00000000\nflashoffset = 0x00000000\nethaddr     = {}\nip_addr     = {}\nbaudrate    = {} bps\n",
          kSimRamBase, ram_size_, env("ethaddr", "(not set)"), env("ipaddr", "<NULL>"), env("baudrate", "115200")));
    } else {
      out(fmt::format(
          "boot_params = 0x00000000\nDRAM bank   = 0x00000000\n-> start    = 0x{:08x}\n-> size     = 0x{:08x}\n"
          "flashstart  = 0x00000000\nflashsize   = 0x00000000\nflashoffset = 0x00000000\nbaudrate    = {} bps\n"
          "relocaddr   = 0x{:08x}\nreloc off   = 0x{:08x}\nBuild       = 32-bit\ncurrent eth = unknown\n"
          "ethaddr     = {}\nIP addr     = {}\nfdt_blob    = 0x{:08x}\nnew_fdt     = 0x00000000\nfdt_size    = 0x00000000\n",
          kSimRamBase, ram_size_, env("baudrate", "115200"), kSimRamBase + uboot_top() - 0x70000,
          kSimRamBase + uboot_top() - 0x70000 - 0x80100000, env("ethaddr", "(not set)"), env("ipaddr", "<NULL>"),
          kSimRamBase + uboot_top() - 0x42650));  // 64 MiB: relocaddr 83f90000, fdt_blob 83fbd9b0
    }
    return true;
  }
  if (name == "base") {
    out("Base Address: 0x00000000\n");
    return true;
  }
  if (name == "echo") {
    std::string s;
    bool newline = true, first = true;
    size_t i = 1;
    if (opt_.dialect == Dialect::Modern && size > 1 && a[1] == "-n") {
      newline = false;
      i = 2;
    }
    for (; i < size; ++i) {
      std::string w = a[i];
      if (opt_.ingenic()) {
        auto c = w.find("\\c");  // old echo: "\c" ends the output without a newline
        if (c != std::string::npos) {
          w.resize(c);
          newline = false;
        }
      }
      if (!first) s += ' ';
      first = false;
      s += w;
    }
    out(s + (newline ? "\n" : ""));
    return true;
  }
  if (name == "watchdog") {
    if (size != 2) {
      usage(name);
      return false;
    }
    out(std::strtoul(a[1].c_str(), nullptr, 0) == 0 ? "watchdog close!\n" : "watchdog open!\n");
    return true;
  }
  if (name == "md") return cmd_md(a, repeat);
  if (name == "mw") return cmd_mw(a);
  if (name == "cp") return cmd_cp(a);
  if (name == "cmp") return cmd_cmp(a);
  if (name == "crc32") return cmd_crc32(a);
  if (name == "sf") return cmd_sf(a);
  if (name == "mmc") return cmd_mmc(a);
  if (name == "setenv") return cmd_setenv(a);
  if (name == "printenv") return cmd_printenv(a);
  if (name == "saveenv") return cmd_saveenv(a);
  if (name == "env") {
    if (size >= 2 && (a[1] == "print" || a[1] == "set")) {
      Args b(a.begin() + 1, a.end());
      b[0] = a[1] == "print" ? "printenv" : "setenv";
      return a[1] == "print" ? cmd_printenv(b) : cmd_setenv(b);
    }
    usage(name);
    return false;
  }
  if (name == "go") {
    auto addr = size >= 2 ? parse_hex(a[1]) : std::nullopt;
    if (!addr) {
      usage(name);
      return false;
    }
    out(fmt::format("## Starting application at 0x{:08X} ...\n", *addr));
    std::vector<std::string> rest(a.begin() + 2, a.end());
    // The Ingenic builds flush the caches first and say so (observed T23/T31 logs).
    if (opt_.ingenic()) out("Flush cache all before jump.\n");
    auto prog = find_go_program(owner_, *addr, rest);
    if (!prog) {
      crash();  // jumped into garbage: the CPU faults and the board resets
      return false;
    }
    start_job(std::make_unique<GoJob>(std::move(prog)));
    return true;
  }
  if (name == "reset") {
    out("resetting ...\n");
    boot();
    return true;
  }
  if (name == "boot" || name == "bootd" || name == "bootm") {
    pending_.clear();
    boot_linux();
    return true;
  }
  if (name == "sleep") {
    auto n = size == 2 ? parse_number(a[1]) : std::nullopt;
    if (!n) {
      usage(name);
      return false;
    }
    start_job(std::make_unique<DelayedText>("", drain_time() + static_cast<double>(*n)));
    return true;
  }
  if (name == "tftpput") return cmd_tftpput(a);
  out(fmt::format("Unknown command '{}' - try 'help'\n", full));
  return false;
}

std::unique_ptr<Job> make_delayed_text(std::string text, double at) {
  return std::make_unique<DelayedText>(std::move(text), at);
}

}  // namespace camdump::sim
