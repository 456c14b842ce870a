// SPDX-License-Identifier: MIT
#include "cli/option_groups.hpp"

namespace camdump::cli {

void add_range_options(Command& c, RangeArgs& a, const RangeHelp& help) {
  Opt offset = c.size("--offset", a.offset, help.offset);
  Opt length = c.size("--length", a.length, help.length);
  if (help.part.empty()) return;
  c.option("--part", a.part, help.part).excludes(offset).excludes(length);
}

void add_output_options(Command& c, OutputArgs& a, const OutputHelp& help) {
  Opt out = c.option("-o,--output", a.out, help.out);
  if (help.required) out.required();
  c.flag("--force", a.force, help.force);
  if (!help.resume.empty()) c.flag("--resume", a.resume, help.resume);
  if (!help.json.empty()) c.flag("--json", a.json, help.json);
}

void add_json_flag(Command& c, bool& json, const std::string& help) { c.flag("--json", json, help); }

void add_programmer_options(Command& c, ProgrammerArgs& a, const ProgrammerHelp& help) {
  c.option("--device", a.device, help.device);
  c.option("--sim", a.sim, help.sim);
  c.option("--chip", a.chip, help.chip);
  if (!help.in_flight.empty()) c.option("--in-flight", a.in_flight, help.in_flight);
}

}  // namespace camdump::cli
