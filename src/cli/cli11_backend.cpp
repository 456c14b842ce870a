// SPDX-License-Identifier: MIT
// The one translation unit that includes CLI11: cli/command.hpp's Command, Opt and CommandLine
// implemented on CLI::App, and the declared tree read back as CommandInfo.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "cli/command.hpp"
#include "core/size.hpp"

namespace camdump::cli {
namespace {

// Transformers: the text becomes the decimal value CLI11 then converts; anything else is a usage
// error CLI11 reports as "--option: <message>" (exit 2 in main). `none` (e.g. "auto") is let
// through for options whose value may be a word meaning "not given".
CLI::Validator size_value(std::string none = {}) {
  return CLI::Validator(
      [none = std::move(none)](std::string& text) -> std::string {
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

std::vector<const CLI::App*> children(const CLI::App* a) {
  return a->get_subcommands([](const CLI::App*) { return true; });
}

OptionInfo describe_option(const CLI::Option* o, const CLI::App* owner) {
  OptionInfo i;
  i.short_names = o->get_snames();
  i.long_names = o->get_lnames();
  i.positional = !o->nonpositional();
  if (i.positional) i.name = o->get_name(true);
  i.type_name = o->get_type_name();
  i.help = o->get_description();
  i.takes_value = o->get_type_size_min() > 0 && o->get_expected_min() > 0;
  i.is_help = o == owner->get_help_ptr();
  return i;
}

CommandInfo describe_app(const CLI::App* a) {
  CommandInfo c;
  c.name = a->get_name();
  c.description = a->get_description();
  for (const CLI::Option* o : a->get_options()) c.options.push_back(describe_option(o, a));
  for (const CLI::App* sub : children(a)) c.subcommands.push_back(describe_app(sub));
  return c;
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

Opt& Opt::expected(int min, int max) {
  o_->expected(min, max);
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

Opt Command::option(const std::string& names, double& into, const std::string& help) {
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

Command Command::subcommand(const std::string& name, const std::string& description) {
  return Command(app_->add_subcommand(name, description));
}

Command Command::group(const std::string& name, const std::string& description) {
  for (CLI::App* sub : app_->get_subcommands([](CLI::App*) { return true; }))
    if (sub->get_name() == name) return Command(sub);
  CLI::App* g = app_->add_subcommand(name, description);
  g->require_subcommand(1);
  return Command(g);
}

void Command::footer(const std::string& text) { app_->footer(text); }

void Command::on_run(std::function<void()> run) { app_->callback(std::move(run)); }

void Command::on_parsed(std::function<void()> done) { app_->parse_complete_callback(std::move(done)); }

Command add_command(Command parent, const std::string& name, const std::string& description) {
  return parent.subcommand(name, description);
}

CommandLine::CommandLine(const std::string& description, const std::string& name, const std::string& version)
    : app_(std::make_unique<CLI::App>(description, name)) {
  app_->require_subcommand(1);
  app_->set_version_flag("--version", version);
  // Unknown options of a subcommand fall through to its parents: -q/-v work anywhere.
  // (Subcommands copy this setting when they are created, so it is set before they are.)
  app_->fallthrough();
}

CommandLine::~CommandLine() = default;

Command CommandLine::root() { return Command(app_.get()); }

std::string CommandLine::help() const { return app_->help(); }

CommandInfo CommandLine::describe() const { return describe_app(app_.get()); }

ParseResult CommandLine::parse(int argc, const char* const* argv) {
  ParseResult r;
  try {
    app_->parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {  // --help, --version
      app_->exit(e);
      r.printed = true;
      return r;
    }
    r.usage_error = true;
    r.error = e.what();
    r.command = "camdump";
    for (CLI::App* sub = app_.get(); !sub->get_subcommands().empty();) {
      sub = sub->get_subcommands().front();
      r.command += " " + sub->get_name();
    }
  }
  return r;
}

}  // namespace camdump::cli
