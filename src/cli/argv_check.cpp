// SPDX-License-Identifier: MIT
#include "cli/argv_check.hpp"

#include <fmt/core.h>

#include <algorithm>

#include "core/error.hpp"

namespace camdump::cli {

size_t edit_distance(std::string_view a, std::string_view b) {
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[n][m];
}

std::string nearest_word(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = SIZE_MAX;
  for (const auto& c : candidates) {
    size_t d = edit_distance(word, c);
    // A prefix is a likely slip too ("--out" for "--output", "ins" for "inspect").
    if (c.size() > word.size() && c.compare(0, word.size(), word) == 0 && word.size() >= 2) d = std::min<size_t>(d, 1);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  // Up to a third of the word may be wrong (at least one edit, at most three).
  const size_t limit = std::clamp<size_t>(word.size() / 3, 1, 3);
  return best_d <= limit ? best : std::string();
}

namespace {

using Chain = std::vector<const CommandInfo*>;

std::string path_of(const Chain& chain) {
  std::string s = "camdump";
  for (size_t i = 1; i < chain.size(); ++i) s += " " + chain[i]->name;
  return s;
}

const OptionInfo* find_long(const Chain& chain, std::string_view name) {
  for (auto it = chain.rbegin(); it != chain.rend(); ++it)
    for (const OptionInfo& o : (*it)->options)
      for (const auto& l : o.long_names)
        if (l == name) return &o;
  return nullptr;
}

const OptionInfo* find_short(const Chain& chain, char c) {
  for (auto it = chain.rbegin(); it != chain.rend(); ++it)
    for (const OptionInfo& o : (*it)->options)
      for (const auto& s : o.short_names)
        if (s.size() == 1 && s[0] == c) return &o;
  return nullptr;
}

// `--name[=value]`: the option must exist on the command or a parent. Returns whether the next
// word is its value.
bool check_long(const Chain& chain, std::string_view s, ArgvWalk& w) {
  const std::string_view name = s.substr(2, s.find('=') == std::string_view::npos ? s.npos : s.find('=') - 2);
  if (name == "json") w.json = true;
  if (name == "help") w.help = true;
  const OptionInfo* o = find_long(chain, name);
  if (!o) {
    std::vector<std::string> known;
    for (const CommandInfo* a : chain)
      for (const OptionInfo& opt : a->options)
        for (const auto& l : opt.long_names) known.push_back(l);
    std::string near = nearest_word(name, known);
    fail(ErrorKind::Usage, fmt::format("unknown option '--{}' for '{}'", name, path_of(chain)),
         near.empty() ? fmt::format("see '{} --help' for the options", path_of(chain))
                      : fmt::format("did you mean '--{}'?", near));
  }
  return o->takes_value && s.find('=') == std::string_view::npos;
}

// A cluster of short flags (-qv) or an option with its value attached (-ofw.bin). Returns whether
// the next word is a value.
bool check_short(const Chain& chain, std::string_view s, ArgvWalk& w) {
  if (s[1] == 'h') w.help = true;
  for (size_t k = 1; k < s.size(); ++k) {
    const OptionInfo* o = find_short(chain, s[k]);
    if (!o) break;  // CLI11 reports unknown short options itself
    if (o->takes_value) return k + 1 == s.size();
  }
  return false;
}

// The subcommand `s` names under the last command of the chain.
const CommandInfo* subcommand_named(const Chain& chain, std::string_view s) {
  std::vector<std::string> names;
  for (const CommandInfo& sub : chain.back()->subcommands) {  // no aliases or ignore_case: names match exactly
    names.push_back(sub.name);
    if (sub.name == s) return &sub;
  }
  std::string near = nearest_word(s, names);
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  fail(ErrorKind::Usage,
       fmt::format("unknown command '{}'{}", s, chain.size() > 1 ? fmt::format(" for '{}'", path_of(chain)) : ""),
       near.empty() ? fmt::format("the commands are: {} (see '{} --help')", list, path_of(chain))
                    : fmt::format("did you mean '{} {}'?", path_of(chain), near));
}

}  // namespace

ArgvWalk check_argv(const CommandInfo& app, int argc, const char* const* argv) {
  ArgvWalk w;
  Chain chain{&app};
  for (int i = 1; i < argc; ++i) {
    const std::string_view s = argv[i];
    if (s == "--") break;
    if (s.size() > 2 && s.substr(0, 2) == "--") {
      if (check_long(chain, s, w)) ++i;
    } else if (s.size() > 1 && s[0] == '-' && !(s[1] >= '0' && s[1] <= '9') && s[1] != '-') {
      if (check_short(chain, s, w)) ++i;
    } else if (!chain.back()->subcommands.empty()) {  // else a positional argument of the command
      chain.push_back(subcommand_named(chain, s));
    }
  }
  w.command = chain.back();
  if (!w.help && chain.size() > 1 && !w.command->subcommands.empty()) {
    std::string list;
    for (const CommandInfo& sub : w.command->subcommands) list += (list.empty() ? "" : ", ") + sub.name;
    fail(ErrorKind::Usage, fmt::format("'{}' needs one of: {}", path_of(chain), list),
         fmt::format("see '{} --help'", path_of(chain)));
  }
  return w;
}

}  // namespace camdump::cli
