// SPDX-License-Identifier: MIT
// Typed option groups the commands share, so each option has one name, one parser and one help
// text across routes: the flash range (--offset/--length/--part), the output file (-o, --force,
// --resume, --json), the CH341A programmer (--device, --sim, --chip, --in-flight). The console
// group (PORT, --baud, --log, staging) is in cli/uart_options.hpp. A command declares the groups
// it takes and only its own options besides; help texts a command must word differently are
// given in the *Help structs.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "cli/command.hpp"
#include "core/output_path.hpp"

namespace camdump::cli {

/// --offset, --length (sizes, checked by CLI11) and, where the command has it, --part.
struct RangeArgs {
  std::optional<uint64_t> offset, length;
  std::string part;
};
struct RangeHelp {
  std::string offset = "First flash byte to dump (default 0)";
  std::string length = "Bytes to dump (default: to the end of the flash)";
  std::string part;  ///< empty: the command has no --part; else its help (it excludes --offset/--length)
};
void add_range_options(Command& c, RangeArgs& a, const RangeHelp& help = {});

/// -o/--output, --force, and where the command has them --resume and --json.
struct OutputArgs {
  std::string out;
  bool force = false, resume = false, json = false;
  /// For check_output_path: --force and --resume both allow an existing OUT.
  OutputCheck check() const { return {.force = force, .resume = resume}; }
};
struct OutputHelp {
  std::string out = "Output file (written as OUT.part, renamed when verified, mode 0600)";
  bool required = true;
  std::string force = "Replace an existing OUT (otherwise refused, naming its size and date)";
  std::string resume;                                        ///< empty: the command has no --resume
  std::string json = "Print only a JSON summary on stdout";  ///< empty: no --json
};
void add_output_options(Command& c, OutputArgs& a, const OutputHelp& help = {});
/// Only --json (commands without an output file).
void add_json_flag(Command& c, bool& json, const std::string& help = "Print only a JSON summary on stdout");

/// The CH341A programmer, real (--device) or emulated (--sim), and the chip override.
struct ProgrammerArgs {
  std::string device, sim, chip;
  uint32_t in_flight = 32;
};
struct ProgrammerHelp {
  std::string device = "Use the CH341A at BUS:ADDR as lsusb prints it (default: the first)";
  std::string sim =
      "Use the emulated CH341A: image=FILE,chip=NAME[,flaky=RATE,seed=N,bad=B1:B2,eccfail=P1:P2,unplug=N,stall=N,"
      "hang=N,id=EF4018,size=16M,sfdp=bits|exp|none]";
  std::string chip =
      "Part by package marking (XM25QH128C, W25Q256FV, MX25L12835F; case-insensitive) instead of "
      "identifying it by its ID";
  std::string in_flight = "USB IN transfers kept queued (default 32, as flashrom)";  ///< empty: no --in-flight
};
void add_programmer_options(Command& c, ProgrammerArgs& a, const ProgrammerHelp& help = {});

}  // namespace camdump::cli
