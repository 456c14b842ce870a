// SPDX-License-Identifier: MIT
// A thin facade over CLI11 for the cmd_*.cpp files: a command adds its options, flags and
// positionals through `Command` and `Opt`, so only command.cpp (and main, help_gen, argv_check)
// compile CLI11's large header. Values are checked by CLI11 validators here (sizes, numbers,
// choices, ranges), so a bad value is a CLI11 usage error: exit 2 with "--opt: what is wrong".
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace camdump::cli {

/// One option of a command, for chaining: `c.option("--width", a.width, "...").choices({"auto", "b"})`.
class Opt {
 public:
  explicit Opt(CLI::Option* o) : o_(o) {}
  Opt& required();
  /// The value must be one of these words (CLI::IsMember).
  Opt& choices(const std::vector<std::string>& words);
  /// The value must lie in [lo, hi] (CLI::Range).
  Opt& range(uint64_t lo, uint64_t hi);
  /// Print the default value in --help.
  Opt& show_default();
  /// Hidden from --help (and the man page).
  Opt& hidden();
  /// Excludes another option (CLI11 prints "--a excludes --b").
  Opt& excludes(const Opt& other);
  CLI::Option* raw() const { return o_; }

 private:
  CLI::Option* o_;
};

/// A subcommand being declared. Copyable handle; the CLI::App it wraps lives in the tree.
class Command {
 public:
  explicit Command(CLI::App& app) : app_(&app) {}
  CLI::App& app() const { return *app_; }

  Opt option(const std::string& names, std::string& into, const std::string& help);
  Opt option(const std::string& names, std::vector<std::string>& into, const std::string& help);
  Opt option(const std::string& names, uint32_t& into, const std::string& help);
  Opt option(const std::string& names, uint64_t& into, const std::string& help);
  /// A size: 16M, 16MiB, 64K, 0x1000000, 16777216 (core/size.hpp). Stored in bytes.
  Opt size(const std::string& names, uint64_t& into, const std::string& help);
  /// `none` (e.g. "auto") is accepted as "not given" and leaves `into` empty.
  Opt size(const std::string& names, std::optional<uint64_t>& into, const std::string& help,
           const std::string& none = {});
  /// An address or number: 0x80600000 or decimal.
  Opt number(const std::string& names, uint64_t& into, const std::string& help);
  Opt number(const std::string& names, std::optional<uint64_t>& into, const std::string& help);
  Opt flag(const std::string& names, bool& into, const std::string& help);

  /// What runs when the command is chosen (after parsing).
  void on_run(std::function<void()> run);

 private:
  CLI::App* app_;
};

/// A new subcommand `name` under `parent` (the root, or a group such as dump_group()).
Command add_command(CLI::App& parent, const std::string& name, const std::string& description);

}  // namespace camdump::cli
