// SPDX-License-Identifier: MIT
// Checks the command words and long options of argv against the declared tree before CLI11 parses
// it, so that a typo gets "unknown command 'dupm' (did you mean 'dump'?)" instead of CLI11's
// "A subcommand is required" or "--output is required" (issue 15). Also finds which command a
// command line names and whether it asked for JSON, for error reporting.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "cli/command.hpp"

namespace camdump::cli {

/// Optimal-string-alignment distance (insertions, deletions, substitutions, adjacent swaps).
size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word` when it is close enough to be a likely typo, else "".
std::string nearest_word(std::string_view word, const std::vector<std::string>& candidates);

/// What the words of a command line select.
struct ArgvWalk {
  const CommandInfo* command = nullptr;  ///< deepest (sub)command named (in the tree checked)
  bool json = false;                     ///< --json given (before a "--")
  bool help = false;                     ///< -h/--help given
};

/// Walks argv over the tree: command words must name subcommands where a group expects one, long
/// options must exist on the command or a parent (global options are accepted anywhere).
/// Throws Error(Usage) with the nearest command/option as the hint.
ArgvWalk check_argv(const CommandInfo& app, int argc, const char* const* argv);

}  // namespace camdump::cli
