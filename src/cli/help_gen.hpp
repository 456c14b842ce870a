// SPDX-License-Identifier: MIT
// The man page camdump(1) and the bash/zsh/fish completions, generated from the command tree the
// commands register (cli/command.hpp's CommandInfo), so they cannot drift from --help. The build runs the hidden
// `camdump --help-man` and `camdump --completion=SHELL` (cmake/install.cmake) and installs the
// output.
#pragma once
#include <string>

#include "cli/command.hpp"

namespace camdump::cli {

/// roff source of camdump(1).
std::string man_page(const CommandInfo& app, const std::string& version);
/// Completion script for "bash", "zsh" or "fish"; throws Error(Usage) for another shell.
std::string completion_script(const CommandInfo& app, const std::string& shell);

}  // namespace camdump::cli
