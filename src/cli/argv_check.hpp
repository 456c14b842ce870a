// SPDX-License-Identifier: MIT
// Checks the command words and long options of argv against the CLI11 tree before CLI11 parses
// it, so that a typo gets "unknown command 'dupm' (did you mean 'dump'?)" instead of CLI11's
// "A subcommand is required" or "--output is required" (issue 15). Also finds which command a
// command line names and whether it asked for JSON, for error reporting.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
}

namespace camdump::cli {

/// Optimal-string-alignment distance (insertions, deletions, substitutions, adjacent swaps).
size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word` when it is close enough to be a likely typo, else "".
std::string nearest_word(std::string_view word, const std::vector<std::string>& candidates);

/// What the words of a command line select.
struct ArgvWalk {
  CLI::App* command = nullptr;  ///< deepest (sub)command named
  bool json = false;            ///< --json given (before a "--")
  bool help = false;            ///< -h/--help given
};

/// Walks argv over the tree: command words must name subcommands where a group expects one, long
/// options must exist on the command or a parent (global options are accepted anywhere).
/// Throws Error(Usage) with the nearest command/option as the hint.
ArgvWalk check_argv(CLI::App& app, int argc, const char* const* argv);

}  // namespace camdump::cli
