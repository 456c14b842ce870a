// SPDX-License-Identifier: MIT
// Shared command groups: `camdump dump <route>`, `camdump probe <programmer>` and
// `camdump restore <route>`. Each route's
// register function asks for the group and adds its own subcommand under it.
#pragma once
#include <string>

namespace CLI {
class App;
}

namespace camdump::cli {

/// The `dump` group (created on first use).
CLI::App& dump_group(CLI::App& app);
/// The `probe` group (created on first use).
CLI::App& probe_group(CLI::App& app);
/// The `restore` group (created on first use).
CLI::App& restore_group(CLI::App& app);

}  // namespace camdump::cli
