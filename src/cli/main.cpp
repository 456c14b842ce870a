// SPDX-License-Identifier: MIT
// camdump's entry point: builds the command line from the per-command registration functions,
// runs the chosen command, and maps errors to exit codes (0 ok, 1 failed/differs, 2 usage).
// This is the only place that catches errors for the user.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <csignal>
#include <cstdio>

#include "cli/commands.hpp"
#include "cli/context.hpp"

namespace {

camdump::CancelFlag g_cancel{false};

void on_sigint(int) {
  if (g_cancel.load()) std::_Exit(130);  // second Ctrl-C: stop now
  g_cancel.store(true);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace camdump;
  cli::Context ctx;
  ctx.cancel = &g_cancel;
  struct sigaction sa{};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  CLI::App app{"camdump: back up (dump) the firmware of IP cameras, verified.\n"
               "Every route ends with a checksum from the device agreeing with the file;\n"
               "output goes to OUT.part and is renamed only when verified."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "camdump 0.1.0");
  bool verbose = false, quiet = false;
  app.add_flag("-v,--verbose", verbose, "Show debug logs on stderr");
  app.add_flag("-q,--quiet", quiet, "Only warnings and errors on stderr");
  app.parse_complete_callback([&] {
    ctx.reporter.set_verbose(verbose);
    ctx.reporter.set_quiet(quiet);
  });
  app.footer("Exit codes: 0 ok, 1 failed or differs, 2 usage error.\n"
             "Run 'camdump <command> --help' for a command's options. Docs: docs/cli.md");
  for (cli::Register r : cli::all_commands()) r(app, ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  } catch (const Error& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "camdump: error: %s\n", e.what());
    if (!e.hint().empty()) std::fprintf(stderr, "hint: %s\n", e.hint().c_str());
    if (e.kind() == ErrorKind::Cancelled) return 130;
    return e.kind() == ErrorKind::Usage ? 2 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "camdump: internal error: %s\n", e.what());
    return 1;
  }
  return ctx.exit_code;
}
