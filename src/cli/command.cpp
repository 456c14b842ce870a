// SPDX-License-Identifier: MIT
// The one translation unit that declares options with CLI11 for the commands (cli/command.hpp).
#include "cli/command.hpp"

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "core/size.hpp"

namespace camdump::cli {
namespace {

// Transformers: the text becomes the decimal value CLI11 then converts; anything else is a usage
// error CLI11 reports as "--option: <message>" (exit 2 in main). `none` (e.g. "auto") is let
// through for options whose value may be a word meaning "not given".
CLI::Validator size_value(std::string none = {}) {
  return CLI::Validator(
      [none](std::string& text) -> std::string {
        if (!none.empty() && text == none) return {};
        auto v = parse_size(text);
        if (!v) return fmt::format("'{}' is not a size (use 16M, 16MiB, 0x1000000 or 16777216)", text);
        text = std::to_string(*v);
        return {};
      },
      "", "size");
}

CLI::Validator number_value() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        auto v = parse_number(text);
        if (!v) return fmt::format("'{}' is not a number (use hex with 0x, 0x80600000, or decimal)", text);
        text = std::to_string(*v);
        return {};
      },
      "", "number");
}

}  // namespace

Opt& Opt::required() {
  o_->required();
  return *this;
}

Opt& Opt::choices(const std::vector<std::string>& words) {
  o_->check(CLI::IsMember(words));
  return *this;
}

Opt& Opt::range(uint64_t lo, uint64_t hi) {
  o_->check(CLI::Range(lo, hi));
  return *this;
}

Opt& Opt::show_default() {
  o_->capture_default_str();
  return *this;
}

Opt& Opt::hidden() {
  o_->group("");
  return *this;
}

Opt& Opt::excludes(const Opt& other) {
  o_->excludes(other.o_);
  return *this;
}

Opt Command::option(const std::string& names, std::string& into, const std::string& help) {
  return Opt(app_->add_option(names, into, help));
}

Opt Command::option(const std::string& names, std::vector<std::string>& into, const std::string& help) {
  return Opt(app_->add_option(names, into, help));
}

Opt Command::option(const std::string& names, uint32_t& into, const std::string& help) {
  return Opt(app_->add_option(names, into, help));
}

Opt Command::option(const std::string& names, uint64_t& into, const std::string& help) {
  return Opt(app_->add_option(names, into, help));
}

Opt Command::size(const std::string& names, uint64_t& into, const std::string& help) {
  return Opt(app_->add_option(names, into, help)->transform(size_value())->type_name("SIZE"));
}

Opt Command::size(const std::string& names, std::optional<uint64_t>& into, const std::string& help,
                  const std::string& none) {
  auto set = [&into, none](const std::string& v) {
    if (!none.empty() && v == none) into.reset();
    else into = std::stoull(v);  // the transformer left only digits
  };
  return Opt(app_->add_option_function<std::string>(names, set, help)
                 ->transform(size_value(none))
                 ->type_name(none.empty() ? "SIZE" : "SIZE|" + none));
}

Opt Command::number(const std::string& names, uint64_t& into, const std::string& help) {
  return Opt(app_->add_option(names, into, help)->transform(number_value())->type_name("ADDR"));
}

Opt Command::number(const std::string& names, std::optional<uint64_t>& into, const std::string& help) {
  return Opt(app_->add_option_function<uint64_t>(
                     names, [&into](const uint64_t& v) { into = v; }, help)
                 ->transform(number_value())
                 ->type_name("ADDR"));
}

Opt Command::flag(const std::string& names, bool& into, const std::string& help) {
  return Opt(app_->add_flag(names, into, help));
}

void Command::on_run(std::function<void()> run) { app_->callback(std::move(run)); }

Command add_command(CLI::App& parent, const std::string& name, const std::string& description) {
  return Command(*parent.add_subcommand(name, description));
}

}  // namespace camdump::cli
