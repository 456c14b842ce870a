// SPDX-License-Identifier: MIT
#include "cli/commands.hpp"

namespace camdump::cli {

// One line per command (cli/cmd_<verb>.cpp). Keep alphabetical.

std::vector<Register> all_commands() {
  return {
  };
}

}  // namespace camdump::cli
