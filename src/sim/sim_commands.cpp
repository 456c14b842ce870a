// SPDX-License-Identifier: MIT
// Command-line handling of the virtual camera: splitting at ';', $var expansion, dispatch through
// the command table (exact or unique prefix, `.b/.w/.l` suffixes kept) and the repeat rule of
// U-Boot's main loop. The commands themselves: sim_command_table.cpp and the files it names.
#include <fmt/core.h>

#include <cctype>

#include "core/hex_digit.hpp"
#include "sim/sim_command_table.hpp"

namespace camdump::sim {
namespace {

Args tokenize(const std::string& s) {
  Args a;
  std::string cur;
  bool in = false;
  char quote = 0;
  for (char c : s) {
    if (quote) {
      if (c == quote) quote = 0;
      else cur += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in = true;
    } else if (c == ' ' || c == '\t') {
      if (in) a.push_back(cur);
      cur.clear();
      in = false;
    } else {
      cur += c;
      in = true;
    }
  }
  if (in) a.push_back(cur);
  return a;
}

// A job that prints its text once the virtual clock reaches ready_at (sf read, mmc, sleep).
class DelayedText : public Job {
 public:
  DelayedText(std::string text, double at) : text_(std::move(text)) { ready_at = at; }
  bool step(Machine& m, size_t) override {
    m.out(text_);
    return true;
  }

 private:
  std::string text_;
};

}  // namespace

uint64_t hex_arg(std::string_view s, bool* whole) {
  size_t i = (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? 2 : 0;
  uint64_t v = 0;
  for (; i < s.size() && hex_digit(s[i]) != kNotHex; ++i) v = (v << 4) | hex_digit(s[i]);
  if (whole) *whole = !s.empty() && i == s.size();
  return v & 0xffffffffu;
}

std::string Machine::expand(const std::string& line) const {
  std::string r;
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '\'' && quote != '"') quote = quote ? 0 : '\'';
    if (c == '$' && quote != '\'' && i + 1 < line.size()) {
      size_t j = i + 1;
      std::string name;
      if (line[j] == '{') {
        size_t e = line.find('}', j);
        if (e == std::string::npos) {
          r += c;
          continue;
        }
        name = line.substr(j + 1, e - j - 1);
        i = e;
      } else {
        while (j < line.size() && (std::isalnum(static_cast<unsigned char>(line[j])) || line[j] == '_'))
          name += line[j++];
        if (name.empty()) {
          r += c;
          continue;
        }
        i = j - 1;
      }
      auto it = env_.find(name);
      if (it != env_.end()) r += it->second;
      continue;
    }
    r += c;
  }
  return r;
}

void Machine::run_line(const std::string& line, bool repeat) {
  ++stats_.commands;
  stats_.history.push_back(line);
  line_.start(line, repeat);
  continue_line();
}

void Machine::continue_line() {
  while (mode_ == Mode::Prompt) {
    const std::optional<std::string> seg = line_.next();
    if (!seg) break;
    Args a = tokenize(expand(*seg));
    if (a.empty()) continue;
    if (!run_command(a, line_.repeating())) line_.failed();
  }
  if (mode_ == Mode::Prompt) {
    // main_loop: a failed or non-repeatable command is forgotten; the rest repeats on "".
    last_cmd_ = line_.repeat_text();
    print_prompt();
  }
}

void Machine::usage(const std::string& name) {
  // cmd_usage(): "<name> - <usage>\n\nUsage:\n<name> <help>\n".
  const auto table = command_table(opt_);  // find_command points into it: keep it alive
  if (const Command* c = find_command(table, name); c && name == c->name)
    out(fmt::format("{} - {}\n\nUsage:\n{} {}\n", c->name, c->usage, c->name, c->help));
}

bool Machine::run_command(Args& a, bool repeat) {
  const std::string full = a[0];
  const std::string base = full.substr(0, full.find('.'));  // md.b -> md
  const auto table = command_table(opt_);
  const Command* c = find_command(table, base);
  if (!c) {
    out(fmt::format("Unknown command '{}' - try 'help'\n", full));
    return false;
  }
  if (!c->repeatable) line_.not_repeatable();
  a[0] = c->name + full.substr(base.size());  // the full name, keeping the size suffix
  return c->run(*this, a, repeat);
}

std::unique_ptr<Job> make_delayed_text(std::string text, double at) {
  return std::make_unique<DelayedText>(std::move(text), at);
}

}  // namespace camdump::sim
