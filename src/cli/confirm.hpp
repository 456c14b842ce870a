// SPDX-License-Identifier: MIT
// The question every restore asks before it writes (unless --yes or --dry-run).
#pragma once
#include <functional>
#include <string>

#include "cli/context.hpp"

namespace camdump::cli {

/// A confirm callback for the restore engines: logs the plan and asks "[y/N]" on the terminal.
/// Empty when `yes` or `dry_run`; throws Error(Usage) when it would have to ask and stdin is not a
/// terminal.
std::function<bool(const std::string& plan)> ask_before_writing(bool yes, bool dry_run, Context& ctx);

}  // namespace camdump::cli
