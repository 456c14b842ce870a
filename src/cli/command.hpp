// SPDX-License-Identifier: MIT
// camdump's own small facade over the command-line parser: commands declare their options, flags,
// positionals and subcommands through `Command` and `Opt`, main() parses through `CommandLine`,
// and the man page, completions and typo checks read the declared tree as plain `CommandInfo`.
// Only cli/cli11_backend.cpp includes CLI11 (its header is large: every translation unit that
// includes it pays for it). Values are checked by CLI11 validators there (sizes, numbers,
// choices, ranges), so a bad value is a usage error: exit 2 with "--opt: what is wrong".
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace CLI {  // opaque here: defined only in cli/cli11_backend.cpp
class App;
class Option;
}  // namespace CLI

namespace camdump::cli {

/// One option of a command, for chaining: `c.option("--width", a.width, "...").choices({"auto", "b"})`.
class Opt {
 public:
  Opt& required();
  /// The value must be one of these words.
  Opt& choices(const std::vector<std::string>& words);
  /// The value must lie in [lo, hi].
  Opt& range(uint64_t lo, uint64_t hi);
  /// Between `min` and `max` values (a positional list such as compare's FILE...).
  Opt& expected(int min, int max);
  /// Print the default value in --help.
  Opt& show_default();
  /// Hidden from --help (and the man page).
  Opt& hidden();
  /// Excludes another option (the parser reports "--a excludes --b").
  Opt& excludes(const Opt& other);

 private:
  friend class Command;
  explicit Opt(CLI::Option* o) : o_(o) {}
  CLI::Option* o_;
};

/// A command (or the root) being declared. Copyable handle; what it wraps lives in the CommandLine.
class Command {
 public:
  Opt option(const std::string& names, std::string& into, const std::string& help);
  Opt option(const std::string& names, std::vector<std::string>& into, const std::string& help);
  Opt option(const std::string& names, uint32_t& into, const std::string& help);
  Opt option(const std::string& names, uint64_t& into, const std::string& help);
  Opt option(const std::string& names, double& into, const std::string& help);
  /// A size: 16M, 16MiB, 64K, 0x1000000, 16777216 (core/size.hpp). Stored in bytes.
  Opt size(const std::string& names, uint64_t& into, const std::string& help);
  /// `none` (e.g. "auto") is accepted as "not given" and leaves `into` empty.
  Opt size(const std::string& names, std::optional<uint64_t>& into, const std::string& help,
           const std::string& none = {});
  /// An address or number: 0x80600000 or decimal.
  Opt number(const std::string& names, uint64_t& into, const std::string& help);
  Opt number(const std::string& names, std::optional<uint64_t>& into, const std::string& help);
  Opt flag(const std::string& names, bool& into, const std::string& help);

  /// A new subcommand `name` of this command.
  Command subcommand(const std::string& name, const std::string& description);
  /// The group `name` under this command (created on first use; it needs one of its subcommands).
  Command group(const std::string& name, const std::string& description);
  /// Text printed after the options in --help.
  void footer(const std::string& text);
  /// What runs when the command is chosen (after parsing).
  void on_run(std::function<void()> run);
  /// What runs once the whole command line is parsed, before any on_run (the root's -v/-q).
  void on_parsed(std::function<void()> done);

 private:
  friend class CommandLine;
  explicit Command(CLI::App* app) : app_(app) {}
  CLI::App* app_;
};

/// A new subcommand `name` under `parent` (the root, or a group such as dump_group()).
Command add_command(Command parent, const std::string& name, const std::string& description);

/// One declared option, as the man page, the completions and the typo check read it.
struct OptionInfo {
  std::vector<std::string> short_names, long_names;  ///< without dashes: "o", "output"
  std::string name;                                  ///< a positional's name (PORT)
  std::string type_name;                             ///< SIZE, ADDR, TEXT, ...
  std::string help;
  bool positional = false;
  bool takes_value = false;  ///< false for flags
  bool is_help = false;      ///< the -h/--help every command has
};

/// One declared command with its options (in declaration order) and subcommands.
struct CommandInfo {
  std::string name, description;
  std::vector<OptionInfo> options;
  std::vector<CommandInfo> subcommands;
};

/// How a parse ended when it did not run a command to completion by itself.
struct ParseResult {
  bool usage_error = false;  ///< the command line is wrong (exit 2)
  bool printed = false;      ///< --help or --version printed on stdout (exit 0)
  std::string error;         ///< the usage error as the parser words it
  std::string command;       ///< "camdump dump uart": the command the error belongs to
};

/// The root of the command line: `camdump` with --help and --version, one subcommand required,
/// options of a parent (-v, -q) accepted after its subcommands' words.
class CommandLine {
 public:
  CommandLine(const std::string& description, const std::string& name, const std::string& version);
  ~CommandLine();
  CommandLine(const CommandLine&) = delete;
  CommandLine& operator=(const CommandLine&) = delete;

  Command root();
  /// The root's --help text (the command list).
  std::string help() const;
  /// The declared tree.
  CommandInfo describe() const;
  /// Parses argv and runs the chosen command's on_run (whose errors propagate as thrown).
  ParseResult parse(int argc, const char* const* argv);

 private:
  std::unique_ptr<CLI::App> app_;
};

}  // namespace camdump::cli
