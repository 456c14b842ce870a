// SPDX-License-Identifier: MIT
// What every subcommand gets from main(): the stderr reporter, the cancel flag Ctrl-C sets, and
// the exit code it should end with (0 ok, 1 failed/differs, 2 usage).
#pragma once
#include "cli/command.hpp"
#include "cli/reporter.hpp"
#include "core/error.hpp"

namespace camdump::cli {

struct Context {
  StderrReporter reporter;
  CancelFlag* cancel = nullptr;
  int exit_code = 0;
};

// One registration function per subcommand (cli/cmd_<verb>.cpp). Each adds a subcommand of the
// root `app` (or of a group under it) with its options and an on_run that runs the command and
// sets ctx.exit_code.
using Register = void (*)(Command app, Context& ctx);

}  // namespace camdump::cli
