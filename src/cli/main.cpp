// SPDX-License-Identifier: MIT
// camdump's entry point: builds the command line from the per-command registration functions,
// runs the chosen command, and maps errors to exit codes (0 ok, 1 failed/differs, 2 usage).
// This is the only place that catches errors for the user; with --json anywhere on the command
// line a failure also prints {"ok":false,"error":…,"hint":…} on stdout.
#include <fmt/core.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <optional>
#include <nlohmann/json.hpp>

#include "cli/argv_check.hpp"
#include "cli/command.hpp"
#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "cli/help_gen.hpp"

namespace {

constexpr const char* kVersion = "camdump 0.1.0";

camdump::CancelFlag g_cancel{false};

// Which signal asked us to stop: the exit code is 128 + it (130 Ctrl-C, 143 SIGTERM), as shells do.
volatile std::sig_atomic_t g_signal = 0;

void on_sigint(int sig) {
  if (g_cancel.load()) std::_Exit(128 + sig);  // second signal: stop now
  g_signal = sig;
  g_cancel.store(true);
}

// The error for people on stderr, and with --json the same as a JSON object on stdout.
int report_error(bool json, const std::string& msg, const std::string& hint, const char* kind, int rc) {
  std::fflush(stdout);
  std::fprintf(stderr, "camdump: error: %s\n", msg.c_str());
  if (!hint.empty()) std::fprintf(stderr, "hint: %s\n", hint.c_str());
  if (json) {
    nlohmann::json j = {{"ok", false}, {"error", msg}, {"hint", hint}, {"kind", kind}, {"exit_code", rc}};
    std::fputs((j.dump(2) + "\n").c_str(), stdout);
    std::fflush(stdout);
  }
  return rc;
}

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

struct GlobalFlags {
  bool verbose = false, quiet = false;
};

// The root's own options (-v, -q: anywhere on the line), its footer, and every command.
void declare(camdump::cli::Command app, camdump::cli::Context& ctx, GlobalFlags& g) {
  app.flag("-v,--verbose", g.verbose, "Show debug logs on stderr");
  app.flag("-q,--quiet", g.quiet, "Only warnings and errors on stderr");
  app.on_parsed([&ctx, &g] {
    ctx.reporter.set_verbose(g.verbose);
    ctx.reporter.set_quiet(g.quiet);
  });
  app.footer(
      "Global options (-v, -q) may stand anywhere. Exit codes: 0 ok, 1 failed or differs, 2 usage error.\n"
      "Run 'camdump <command> --help' for a command's options; 'man camdump'; docs/cli.md.");
  for (camdump::cli::Register r : camdump::cli::all_commands()) r(app, ctx);
}

// The hidden generators the build uses for the man page and the shell completions, and the
// command list for a bare `camdump`: their exit code, or nullopt when argv asks for none of them.
std::optional<int> print_generated(const camdump::cli::CommandLine& cl, int argc, char** argv) {
  using namespace camdump;
  if (argc == 2 && std::strcmp(argv[1], "--help-man") == 0) {
    std::fputs(cli::man_page(cl.describe(), kVersion).c_str(), stdout);
    return 0;
  }
  if (argc == 2 && std::strncmp(argv[1], "--completion=", 13) == 0) {
    try {
      std::fputs(cli::completion_script(cl.describe(), argv[1] + 13).c_str(), stdout);
      return 0;
    } catch (const Error& e) {
      return report_error(false, e.what(), e.hint(), "usage", 2);
    }
  }
  if (argc == 1) {  // bare `camdump`: the command list
    std::fputs(cl.help().c_str(), stdout);
    return 0;
  }
  return std::nullopt;
}

// Checks argv, parses it and runs the chosen command: the exit code.
int parse_and_run(camdump::cli::CommandLine& cl, const camdump::cli::Context& ctx, int argc, char** argv) {
  using namespace camdump;
  bool json = false;  // --json anywhere (before "--"): failures are reported as JSON too
  for (int i = 1; i < argc && std::strcmp(argv[i], "--") != 0; ++i) json = json || std::strcmp(argv[i], "--json") == 0;
  try {
    cli::check_argv(cl.describe(), argc, argv);
    const cli::ParseResult p = cl.parse(argc, argv);
    if (p.printed) return 0;  // --help, --version
    if (p.usage_error) return report_error(json, p.error, "run '" + p.command + " --help' for the options", "usage", 2);
  } catch (const Error& e) {
    int rc = e.kind() == ErrorKind::Cancelled ? 128 + (g_signal ? g_signal : SIGINT)
             : e.kind() == ErrorKind::Usage   ? 2
                                              : 1;
    return report_error(json, e.what(), e.hint(), camdump::kind_name(e.kind()), rc);
  } catch (const std::exception& e) {
    return report_error(json, std::string("internal error: ") + e.what(), "", "internal", 1);
  }
  return ctx.exit_code;
}

// Builds the command line and runs it: the exit code.
int run(int argc, char** argv) {
  using namespace camdump;
  cli::Context ctx;
  ctx.cancel = &g_cancel;
  install_signal_handlers();
  // Named "camdump" so usage lines never show the path it was started by.
  cli::CommandLine cl(
      "camdump: back up (dump) the firmware of IP cameras, verified.\n"
      "Every route ends with a checksum from the device agreeing with the file;\n"
      "output goes to OUT.part and is renamed only when verified.",
      "camdump", kVersion);
  GlobalFlags global;
  declare(cl.root(), ctx, global);
  if (auto rc = print_generated(cl, argc, argv)) return *rc;
  return parse_and_run(cl, ctx, argc, argv);
}

}  // namespace

// Nothing escapes main: what throws outside a command (building the command line, the generators)
// is an internal error with exit code 1, as one inside a command is (parse_and_run).
int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "camdump: error: internal error: %s\n", e.what());
  } catch (...) {
    std::fputs("camdump: error: internal error\n", stderr);
  }
  return 1;
}
