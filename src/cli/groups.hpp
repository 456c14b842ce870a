// SPDX-License-Identifier: MIT
// Shared command groups: `camdump dump <route>`, `camdump probe <programmer>` and
// `camdump restore <route>`. Each route's
// register function asks for the group and adds its own subcommand under it.
#pragma once
#include <string>

#include "cli/command.hpp"

namespace camdump::cli {

/// The `dump` group (created on first use).
Command dump_group(Command app);
/// The `probe` group (created on first use).
Command probe_group(Command app);
/// The `restore` group (created on first use).
Command restore_group(Command app);

}  // namespace camdump::cli
