// SPDX-License-Identifier: MIT
#include "cli/groups.hpp"

#include <CLI/CLI.hpp>

namespace camdump::cli {
namespace {

CLI::App& group(CLI::App& app, const std::string& name, const std::string& description) {
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
    if (sub->get_name() == name) return *sub;
  CLI::App* g = app.add_subcommand(name, description);
  g->require_subcommand(1);
  return *g;
}

}  // namespace

CLI::App& dump_group(CLI::App& app) {
  return group(app, "dump",
               "Dump a camera's flash by one of the routes (uart, tftp, shell, sd, ch341a); "
               "every route verifies against a checksum from the device");
}

CLI::App& probe_group(CLI::App& app) {
  return group(app, "probe", "Identify a flash chip through a programmer (ch341a)");
}

CLI::App& restore_group(CLI::App& app) {
  return group(app, "restore",
               "Write a verified dump back to the flash (ch341a): only what differs, boot region last, "
               "backup first, every unit read back");
}

}  // namespace camdump::cli
