// SPDX-License-Identifier: MIT
#include "cli/confirm.hpp"

#include <unistd.h>

#include <iostream>

namespace camdump::cli {

std::function<bool(const std::string& plan)> ask_before_writing(bool yes, bool dry_run, Context& ctx) {
  if (yes || dry_run) return {};
  if (!isatty(STDIN_FILENO))
    fail(ErrorKind::Usage, "restore asks before writing, and there is no terminal to ask",
         "run it in a terminal, or add --yes once you have checked the plan with --dry-run");
  return [&ctx](const std::string& plan) {
    ctx.reporter.log(LogLevel::Info, plan);
    std::cerr << "Write this to the flash? [y/N] " << std::flush;
    std::string answer;
    std::getline(std::cin, answer);
    return answer == "y" || answer == "Y" || answer == "yes";
  };
}

}  // namespace camdump::cli
