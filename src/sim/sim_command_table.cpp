// SPDX-License-Identifier: MIT
// The command table of the virtual camera (see sim_command_table.hpp). Names, summaries and usage
// texts are U-Boot's own (common/cmd_*.c of 2013.07 and cmd/*.c of current U-Boot,
// docs/reference/uboot-console.md); both dialects share them here.
#include "sim/sim_command_table.hpp"

#include <fmt/core.h>

#include <algorithm>

namespace camdump::sim {
namespace {

// Adapters for the commands implemented as Machine members.
template <bool (Machine::*F)(Args&)>
bool member(Machine& m, Args& a, bool) {
  return (m.*F)(a);
}
template <bool (Machine::*F)(Args&, bool)>
bool member_r(Machine& m, Args& a, bool repeat) {
  return (m.*F)(a, repeat);
}

bool with_tftpput(const SimOptions& o) { return o.tftpput; }    // tftpput=1 (stock Ingenic has none)
bool ingenic_only(const SimOptions& o) { return o.ingenic(); }  // the vendor's `watchdog`

const Command kCommands[] = {
    {.name = "?", .usage = "alias for 'help'", .help = "[command ...]", .repeatable = true, .run = cmd_help},
    {.name = "base",
     .usage = "print or set address offset",
     .help = "\n    - print address offset for memory commands\nbase off\n    - set address offset for memory commands "
             "to 'off'",
     .repeatable = true,
     .run = cmd_base},
    {.name = "bdinfo", .usage = "print Board Info structure", .help = "", .repeatable = true, .run = cmd_bdinfo},
    {.name = "boot", .usage = "boot default, i.e., run 'bootcmd'", .help = "", .repeatable = false, .run = cmd_boot},
    {.name = "bootd", .usage = "boot default, i.e., run 'bootcmd'", .help = "", .repeatable = false, .run = cmd_boot},
    {.name = "bootm",
     .usage = "boot application image from memory",
     .help = "[addr [arg ...]]\n    - boot application image stored in memory",
     .repeatable = false,
     .run = cmd_boot},
    {.name = "cmp",
     .usage = "memory compare",
     .help = "[.b, .w, .l] addr1 addr2 count",
     .repeatable = true,
     .run = member<&Machine::cmd_cmp>},
    {.name = "coninfo",
     .usage = "print console devices and information",
     .help = "",
     .repeatable = true,
     .run = cmd_coninfo},
    {.name = "cp",
     .usage = "memory copy",
     .help = "[.b, .w, .l] source target count",
     .repeatable = true,
     .run = member<&Machine::cmd_cp>},
    {.name = "crc32",
     .usage = "checksum calculation",
     .help = "address count [addr]\n    - compute CRC32 checksum [save at addr]",
     .repeatable = true,
     .run = member<&Machine::cmd_crc32>},
    {.name = "echo",
     .usage = "echo args to console",
     .help = "[args..]\n    - echo args to console; \\c suppresses newline",
     .repeatable = true,
     .run = cmd_echo},
    {.name = "env",
     .usage = "environment handling commands",
     .help = "print [name ...] - print environment\nenv set name [value ...] - set environment variable",
     .repeatable = false,
     .run = cmd_env},
    {.name = "go",
     .usage = "start application at address 'addr'",
     .help = "addr [arg ...]\n    - start application at address 'addr'\n      passing 'arg' as arguments",
     .repeatable = true,
     .run = cmd_go},
    {.name = "help",
     .usage = "print command description/usage",
     .help =
         "\n    - print brief description of all commands\nhelp command ...\n    - print detailed usage of 'command'",
     .repeatable = true,
     .run = cmd_help},
    {.name = "loady",
     .usage = "load binary file over serial line (ymodem mode)",
     .help = "[ off ] [ baud ]\n    - load binary file over serial line with offset 'off' and baudrate 'baud'",
     .repeatable = true,
     .run = member<&Machine::cmd_loady>},
    {.name = "md",
     .usage = "memory display",
     .help = "[.b, .w, .l] address [# of objects]",
     .repeatable = true,
     .run = member_r<&Machine::cmd_md>},
    {.name = "mmc",
     .usage = "MMC sub system",
     .help = "read addr blk# cnt\nmmc write addr blk# cnt\nmmc erase blk# cnt\nmmc rescan\nmmc dev [dev] [part]",
     .repeatable = true,
     .run = member<&Machine::cmd_mmc>},
    {.name = "mw",
     .usage = "memory write (fill)",
     .help = "[.b, .w, .l] address value [count]",
     .repeatable = true,
     .run = member<&Machine::cmd_mw>},
    {.name = "printenv",
     .usage = "print environment variables",
     .help = "[-a]\n    - print [all] values of all environment variables\nprintenv name ...\n    - print value of "
             "environment variable 'name'",
     .repeatable = true,
     .run = member<&Machine::cmd_printenv>},
    {.name = "reset", .usage = "Perform RESET of the CPU", .help = "", .repeatable = false, .run = cmd_reset},
    {.name = "saveenv",
     .usage = "save environment variables to persistent storage",
     .help = "",
     .repeatable = false,
     .run = member<&Machine::cmd_saveenv>},
    {.name = "setenv",
     .usage = "set environment variables",
     .help = "name value ...\n    - set environment variable 'name' to 'value ...'\nsetenv name\n    - delete "
             "environment variable 'name'",
     .repeatable = false,
     .run = member<&Machine::cmd_setenv>},
    {.name = "sf",
     .usage = "SPI flash sub-system",
     .help =
         "probe [[bus:]cs] [hz] [mode]\t- init flash device on given SPI bus\n\t\t\t\t  and chip select\nsf read addr "
         "offset len\t- read `len' bytes starting at\n\t\t\t\t  `offset' to memory at `addr'\n"
         "sf write addr offset len\t- write `len' bytes from memory\n\t\t\t\t  at `addr' to flash at `offset'\n"
         "sf erase offset [+]len\t\t- erase `len' bytes from `offset'\n\t\t\t\t  `+len' round up `len' to block size\n"
         "sf update addr offset len\t- erase and write `len' bytes from memory\n\t\t\t\t  at `addr' to flash at "
         "`offset'",
     .repeatable = true,
     .run = member<&Machine::cmd_sf>},
    {.name = "sleep",
     .usage = "delay execution for some time",
     .help = "N\n    - delay execution for N seconds (N is _decimal_ !!!)",
     .repeatable = true,
     .run = cmd_sleep},
    {.name = "version",
     .usage = "print monitor, compiler and linker version",
     .help = "",
     .repeatable = true,
     .run = cmd_version},
    {.name = "tftpboot",
     .usage = "boot image via network using TFTP protocol",
     .help = "[loadAddress] [[hostIPaddr:]bootfilename]",
     .repeatable = true,
     .run = member<&Machine::cmd_tftpboot>},
    {.name = "tftpput",
     .usage = "TFTP put command, for uploading files to a server",
     .help = "Address Size [[hostIPaddr:]filename]",
     .repeatable = true,
     .run = member<&Machine::cmd_tftpput>,
     .present = with_tftpput},
    {.name = "watchdog",
     .usage = "open or colse the watchdog",
     .help = "watchdog 0 - close the watchdog\nwatchdog N - open the watchdog, timeout N ms",
     .repeatable = false,
     .run = cmd_watchdog,
     .present = ingenic_only},
};

}  // namespace

std::vector<Command> command_table(const SimOptions& opt) {
  std::vector<Command> t;
  for (const Command& c : kCommands)
    if (!c.present || c.present(opt)) t.push_back(c);
  std::sort(t.begin(), t.end(), [](const Command& a, const Command& b) { return std::string_view(a.name) < b.name; });
  return t;
}

const Command* find_command(const std::vector<Command>& table, std::string_view name) {
  if (name.empty()) return nullptr;
  const Command* found = nullptr;
  int matches = 0;
  for (const auto& c : table) {
    if (name == c.name) return &c;
    if (std::string_view(c.name).starts_with(name)) {
      found = &c;
      ++matches;
    }
  }
  return matches == 1 ? found : nullptr;
}

std::string help_list(const SimOptions& opt) {
  // common/command.c: printf("%-*s- %s\n", CONFIG_SYS_HELP_CMD_WIDTH, name, usage).
  const int width = opt.ingenic() ? 8 : 10;
  std::string s;
  for (const auto& c : command_table(opt)) s += fmt::format("{:<{}}- {}\n", c.name, width, c.usage);
  return s;
}

}  // namespace camdump::sim
