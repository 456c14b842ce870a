// SPDX-License-Identifier: MIT
// Opening a PORT argument for a command: every form io::open_port knows, plus `sim:` (the
// built-in virtual camera), with the transcript (--log) and the baud rate (--baud). `auto` is
// resolved here so the user sees which adapter was taken. The transport is wrapped in a tap that
// tells the reporter how many bytes arrived, so the progress line moves inside a chunk.
#pragma once
#include <memory>
#include <string>

#include "cli/context.hpp"
#include "io/transport.hpp"

namespace camdump::cli {

std::unique_ptr<io::Transport> open_cli_port(const std::string& port, uint32_t baud, const std::string& log,
                                             Context& ctx);

}  // namespace camdump::cli
