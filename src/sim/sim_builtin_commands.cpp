// SPDX-License-Identifier: MIT
// The small commands of the virtual camera (help, version, coninfo, bdinfo, base, echo, watchdog,
// env, go, reset, boot, sleep), each a handler of the command table (sim_command_table.hpp).
#include <fmt/core.h>

#include <cstdlib>

#include "core/size.hpp"
#include "sim/sim_command_table.hpp"
#include "sim/sim_texts.hpp"

namespace camdump::sim {
namespace {

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
  bool reads_input() const override { return prog_->reads_input(); }

 private:
  std::unique_ptr<SimProgram> prog_;
};

std::string env_or(const Machine& m, const char* key, const char* dflt) {
  auto it = m.env_.find(key);
  return it == m.env_.end() ? std::string(dflt) : it->second;
}

}  // namespace

bool cmd_help(Machine& m, Args& a, bool) {
  if (a.size() == 1) {
    m.out(help_list(m.opt_));
    return true;
  }
  const auto table = command_table(m.opt_);
  for (size_t i = 1; i < a.size(); ++i) {
    bool known = false;
    for (const auto& c : table)
      if (a[i] == c.name) known = true;
    if (known) m.usage(a[i]);
    else
      m.out(
          fmt::format("Unknown command '{}' - try 'help' without arguments for list of all known commands\n\n", a[i]));
  }
  return true;
}

bool cmd_version(Machine& m, Args&, bool) {
  m.out(version_text(m.opt_));
  return true;
}

bool cmd_coninfo(Machine& m, Args&, bool) {
  m.out(coninfo_text(m.opt_));
  return true;
}

bool cmd_bdinfo(Machine& m, Args&, bool) {
  const uint64_t ram_size = m.ram_size_, top = m.uboot_top();
  if (m.opt_.ingenic()) {
    // 2013.07 arch/mips/lib/board.c do_bdinfo: ip_addr prints "<NULL>" when ipaddr is unset.
    m.out(fmt::format(
        "boot_params = 0x81F6BF60\nmemstart    = 0x{:08X}\nmemsize     = 0x{:08X}\nflashstart  = 0x00000000\n"
        "flashsize   = 0x00000000\nflashoffset = 0x00000000\nethaddr     = {}\nip_addr     = {}\nbaudrate    = {} "
        "bps\n",
        kSimRamBase, ram_size, env_or(m, "ethaddr", "(not set)"), env_or(m, "ipaddr", "<NULL>"),
        env_or(m, "baudrate", "115200")));
  } else {
    m.out(fmt::format(
        "boot_params = 0x00000000\nDRAM bank   = 0x00000000\n-> start    = 0x{:08x}\n-> size     = 0x{:08x}\n"
        "flashstart  = 0x00000000\nflashsize   = 0x00000000\nflashoffset = 0x00000000\nbaudrate    = {} bps\n"
        "relocaddr   = 0x{:08x}\nreloc off   = 0x{:08x}\nBuild       = 32-bit\ncurrent eth = unknown\n"
        "ethaddr     = {}\nIP addr     = {}\nfdt_blob    = 0x{:08x}\nnew_fdt     = 0x00000000\nfdt_size    = "
        "0x00000000\n",
        kSimRamBase, ram_size, env_or(m, "baudrate", "115200"), kSimRamBase + top - 0x70000,
        kSimRamBase + top - 0x70000 - 0x80100000, env_or(m, "ethaddr", "(not set)"), env_or(m, "ipaddr", "<NULL>"),
        kSimRamBase + top - 0x42650));  // 64 MiB: relocaddr 83f90000, fdt_blob 83fbd9b0
  }
  return true;
}

bool cmd_base(Machine& m, Args&, bool) {
  m.out("Base Address: 0x00000000\n");
  return true;
}

bool cmd_echo(Machine& m, Args& a, bool) {
  std::string s;
  bool newline = true, first = true;
  size_t i = 1;
  if (m.opt_.dialect == Dialect::Modern && a.size() > 1 && a[1] == "-n") {
    newline = false;
    i = 2;
  }
  for (; i < a.size(); ++i) {
    std::string w = a[i];
    if (m.opt_.ingenic()) {
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
  m.out(s + (newline ? "\n" : ""));
  return true;
}

bool cmd_watchdog(Machine& m, Args& a, bool) {
  if (a.size() != 2) {
    m.usage("watchdog");
    return false;
  }
  m.out(std::strtoul(a[1].c_str(), nullptr, 0) == 0 ? "watchdog close!\n" : "watchdog open!\n");
  return true;
}

bool cmd_env(Machine& m, Args& a, bool) {
  if (a.size() >= 2 && (a[1] == "print" || a[1] == "set")) {
    Args b(a.begin() + 1, a.end());
    b[0] = a[1] == "print" ? "printenv" : "setenv";
    return a[1] == "print" ? m.cmd_printenv(b) : m.cmd_setenv(b);
  }
  m.usage("env");
  return false;
}

bool cmd_go(Machine& m, Args& a, bool) {
  auto addr = a.size() >= 2 ? parse_hex(a[1]) : std::nullopt;
  if (!addr) {
    m.usage("go");
    return false;
  }
  m.out(fmt::format("## Starting application at 0x{:08X} ...\n", *addr));
  std::vector<std::string> rest(a.begin() + 2, a.end());
  // The Ingenic builds flush the caches first and say so (observed T23/T31 logs).
  if (m.opt_.ingenic()) m.out("Flush cache all before jump.\n");
  auto prog = m.owner_.go_programs().find(m.owner_, *addr, rest);  // this camera's own
  if (!prog) {
    m.crash();  // jumped into garbage: the CPU faults and the board resets
    return false;
  }
  m.start_job(std::make_unique<GoJob>(std::move(prog)));
  return true;
}

bool cmd_reset(Machine& m, Args&, bool) {
  m.out("resetting ...\n");
  m.boot();
  return true;
}

bool cmd_boot(Machine& m, Args&, bool) {
  m.line_.abandon();
  m.boot_linux();
  return true;
}

bool cmd_sleep(Machine& m, Args& a, bool) {
  auto n = a.size() == 2 ? parse_number(a[1]) : std::nullopt;
  if (!n) {
    m.usage("sleep");
    return false;
  }
  m.start_job(make_delayed_text("", m.drain_time() + static_cast<double>(*n)));
  return true;
}

}  // namespace camdump::sim
