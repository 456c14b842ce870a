// SPDX-License-Identifier: MIT
#include "cli/uart_options.hpp"

#include "cli/port.hpp"
#include "cli/wait_line.hpp"
#include "core/error.hpp"

namespace camdump::cli {

void add_console_options(Command& c, ConsoleArgs& a, const ConsoleHelp& help) {
  if (!help.port.empty()) c.option("PORT", a.port, help.port).required();
  c.option("--baud", a.baud, "Serial line rate of PORT (default 115200)");
  c.option("--log", a.log, "Write the full console transcript (both directions) to this file");
  c.option("--prompt", a.prompt,
           "U-Boot prompt as a regular expression matching the whole prompt, e.g. 'isvp_t31# ' "
           "(default: learned; matched only at the start of a line)");
  c.size("--flash-size", a.flash_size, "auto (from sf probe) or a size such as 8M, 16M, 32M (default auto)", "auto");
  c.number("--buffer", a.buffer,
           "RAM address to stage chunks at (default per SoC: 0x80600000 on Ingenic, below U-Boot's heap)");
  c.option("--load", a.load,
           "Command template that copies flash to RAM; {addr} {offset} {len} (hex), {offset+HEX} adds a "
           "base (default: 'sf probe 0' once, then 'sf read {addr} {offset} {len}')");
  c.number("--mapped", a.mapped, "Flash is memory-mapped at this address: read it there with md, no load step");
}

void apply_console_args(const ConsoleArgs& a, dump::StagingOptions& staging, std::optional<uint64_t>& flash_size) {
  if (a.flash_size) flash_size = a.flash_size;
  if (a.buffer) staging.buffer = *a.buffer;
  if (a.mapped) staging.mapped = *a.mapped;
  if (!a.load.empty()) {
    if (staging.mapped) fail(ErrorKind::Usage, "--load and --mapped exclude each other");
    dump::expand_template(a.load, 0, 0, 0);  // reject unknown placeholders now
    staging.load = a.load;
  }
}

uboot::SessionOptions session_options(const ConsoleArgs& a) {
  uboot::SessionOptions o;
  if (!a.prompt.empty()) {
    try {
      o.prompt = std::regex(a.prompt);
    } catch (const std::regex_error& e) {
      fail(ErrorKind::Usage, std::string("--prompt: bad regular expression: ") + e.what());
    }
  }
  return o;
}

Console open_console(const ConsoleArgs& a, Context& ctx, Reporter& rep) {
  Console c;
  c.port = open_cli_port(a.port, a.baud, a.log, ctx);
  c.session = std::make_unique<uboot::UbootSession>(*c.port, rep, ctx.cancel,
                                                    with_wait_line(session_options(a), ctx.reporter, c.port->baud()));
  return c;
}

}  // namespace camdump::cli
