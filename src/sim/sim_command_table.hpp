// SPDX-License-Identifier: MIT
// The virtual camera's command table: one entry per U-Boot command (name, the one-line summary
// `help` lists, the "Usage:" text `help CMD` prints, whether an empty line repeats it, its
// handler, and the dialects that have it). Dispatch (exact name or unique prefix) and both forms
// of `help` read this table only (U-Boot's common/command.c: find_cmd_tbl, _do_help, cmd_usage).
// A new command is one entry in sim_command_table.cpp plus its handler.
#pragma once
#include <string_view>
#include <vector>

#include "sim/sim_machine.hpp"

namespace camdump::sim {

/// Runs one command; `repeat` is set when an empty line repeats it. False = the command failed.
using CommandFn = bool (*)(Machine& m, Args& a, bool repeat);

struct Command {
  const char* name;
  const char* usage;  ///< one-line summary (help list)
  const char* help;   ///< "Usage:" text after the name
  bool repeatable;    ///< an empty line runs it again (U-Boot's cmd_tbl_t.repeatable)
  CommandFn run;
  bool (*present)(const SimOptions&) = nullptr;  ///< nullptr: in every dialect
};

/// The commands this camera has, sorted by name as `help` lists them.
std::vector<Command> command_table(const SimOptions& opt);
/// The entry named `name` exactly, else the only one it is a prefix of; nullptr otherwise.
const Command* find_command(const std::vector<Command>& table, std::string_view name);
/// `help` without arguments: "%-*s- %s\n" per command (width 8 in 2013.07, 10 in modern U-Boot).
std::string help_list(const SimOptions& opt);

// Handlers of the small commands (sim_builtin_commands.cpp).
bool cmd_help(Machine& m, Args& a, bool repeat);
bool cmd_version(Machine& m, Args& a, bool repeat);
bool cmd_coninfo(Machine& m, Args& a, bool repeat);
bool cmd_bdinfo(Machine& m, Args& a, bool repeat);
bool cmd_base(Machine& m, Args& a, bool repeat);
bool cmd_echo(Machine& m, Args& a, bool repeat);
bool cmd_watchdog(Machine& m, Args& a, bool repeat);
bool cmd_env(Machine& m, Args& a, bool repeat);
bool cmd_go(Machine& m, Args& a, bool repeat);
bool cmd_reset(Machine& m, Args& a, bool repeat);
bool cmd_boot(Machine& m, Args& a, bool repeat);
bool cmd_sleep(Machine& m, Args& a, bool repeat);

}  // namespace camdump::sim
