// SPDX-License-Identifier: MIT
// The console options every U-Boot route shares (dump uart, dump tftp, dump sd): --baud, --log,
// --prompt, --flash-size, --buffer, --load, --mapped. One definition so their help and parsing
// agree across routes.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "dump/staging.hpp"
#include "uboot/session.hpp"

namespace CLI {
class App;
}

namespace camdump::cli {

struct ConsoleArgs {
  uint32_t baud = 115200;
  std::string flash_size = "auto", buffer, load, mapped, prompt, log;
};

/// Add the shared console options to a route's subcommand.
void add_console_options(CLI::App& cmd, ConsoleArgs& a);
/// Parse them (throws Error(Usage) on bad values).
void apply_console_args(const ConsoleArgs& a, dump::StagingOptions& staging, std::optional<uint64_t>& flash_size);
/// Session options (--prompt).
uboot::SessionOptions session_options(const ConsoleArgs& a);

}  // namespace camdump::cli
