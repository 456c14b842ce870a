// SPDX-License-Identifier: MIT
// What every subcommand gets from main(): the stderr reporter, the cancel flag Ctrl-C sets, and
// the exit code it should end with (0 ok, 1 failed/differs, 2 usage).
#pragma once
#include "cli/reporter.hpp"
#include "core/error.hpp"

namespace CLI {
class App;
}

namespace camdump::cli {

struct Context {
  StderrReporter reporter;
  CancelFlag* cancel = nullptr;
  int exit_code = 0;
};

// One registration function per subcommand (cli/cmd_<verb>.cpp). Each adds its options to a
// CLI::App subcommand and a callback that runs the command and sets ctx.exit_code.
using Register = void (*)(CLI::App& app, Context& ctx);

}  // namespace camdump::cli
