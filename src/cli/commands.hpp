// SPDX-License-Identifier: MIT
// The list of subcommands. Add a command: write cli/cmd_<verb>.cpp with a register function,
// declare it here and add it to all_commands() in commands.cpp.
#pragma once
#include <vector>

#include "cli/context.hpp"

namespace camdump::cli {

std::vector<Register> all_commands();

}  // namespace camdump::cli
