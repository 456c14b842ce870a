// SPDX-License-Identifier: MIT
// The console option group every U-Boot route shares (dump uart, dump tftp, dump sd, restore
// uart/tftp/sd): PORT, --baud, --log, --prompt, --flash-size, --buffer, --load, --mapped. One
// definition so their help and parsing agree across routes; sizes and addresses are checked by
// CLI11 (cli/command.hpp), so a bad value is a usage error before anything is opened.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "cli/command.hpp"
#include "cli/context.hpp"
#include "dump/staging.hpp"
#include "io/transport.hpp"
#include "uboot/session.hpp"

namespace camdump::cli {

struct ConsoleArgs {
  std::string port;  ///< PORT, when the group declares it (ConsoleHelp::port)
  uint32_t baud = 115200;
  std::optional<uint64_t> flash_size, buffer, mapped;  ///< flash_size empty = auto
  std::string load, prompt, log;
};

struct ConsoleHelp {
  /// Help of the PORT positional; empty: the command declares PORT itself.
  std::string port;
};
inline const char* const kConsolePortHelp =
    "Console: /dev/ttyUSB0, tcp:HOST:PORT (ser2net raw), rfc2217:HOST:PORT, 'exec:COMMAND ARGS' (program on a "
    "pty), sim: or sim:IMAGE[,opt=val...] (virtual camera)";

/// Add the console group to a route's subcommand.
void add_console_options(Command& cmd, ConsoleArgs& a, const ConsoleHelp& help = {});
/// Staging and flash size from the group (throws Error(Usage) when --load and --mapped meet or
/// --load names an unknown placeholder).
void apply_console_args(const ConsoleArgs& a, dump::StagingOptions& staging, std::optional<uint64_t>& flash_size);
/// Session options (--prompt).
uboot::SessionOptions session_options(const ConsoleArgs& a);

/// PORT opened (with --baud, --log) and a U-Boot session on it whose waits show on the status line.
struct Console {
  std::unique_ptr<io::Transport> port;
  std::unique_ptr<uboot::UbootSession> session;
};
/// `rep` is the reporter the session logs to (a SerializedReporter where a server thread reports too).
Console open_console(const ConsoleArgs& a, Context& ctx, Reporter& rep);

}  // namespace camdump::cli
