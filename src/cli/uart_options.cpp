// SPDX-License-Identifier: MIT
#include "cli/uart_options.hpp"

#include <CLI/CLI.hpp>

#include "core/error.hpp"
#include "core/size.hpp"

namespace camdump::cli {

void add_console_options(CLI::App& c, ConsoleArgs& a) {
  c.add_option("--baud", a.baud, "Serial line rate of PORT (default 115200)");
  c.add_option("--log", a.log, "Write the full console transcript (both directions) to this file");
  c.add_option("--prompt", a.prompt,
               "U-Boot prompt as a regular expression matching the whole prompt, e.g. 'isvp_t31# ' "
               "(default: learned; matched only at the start of a line)");
  c.add_option("--flash-size", a.flash_size, "auto (from sf probe) or a size such as 8M, 16M, 32M (default auto)");
  c.add_option("--buffer", a.buffer,
               "RAM address to stage chunks at (default per SoC: 0x80600000 on Ingenic, below U-Boot's heap)");
  c.add_option("--load", a.load,
               "Command template that copies flash to RAM; {addr} {offset} {len} (hex), {offset+HEX} adds a "
               "base (default: 'sf probe 0' once, then 'sf read {addr} {offset} {len}')");
  c.add_option("--mapped", a.mapped,
               "Flash is memory-mapped at this address: read it there with md, no load step");
}

void apply_console_args(const ConsoleArgs& a, dump::StagingOptions& staging, std::optional<uint64_t>& flash_size) {
  if (a.flash_size != "auto") flash_size = size_arg("--flash-size", a.flash_size);
  if (!a.buffer.empty()) staging.buffer = number_arg("--buffer", a.buffer);
  if (!a.mapped.empty()) staging.mapped = number_arg("--mapped", a.mapped);
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

}  // namespace camdump::cli
