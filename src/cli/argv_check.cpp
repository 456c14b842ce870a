// SPDX-License-Identifier: MIT
#include "cli/argv_check.hpp"

#include <CLI/CLI.hpp>
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

std::vector<CLI::App*> subcommands(CLI::App* app) {
  return app->get_subcommands([](CLI::App*) { return true; });
}

std::string path_of(const std::vector<CLI::App*>& chain) {
  std::string s = "camdump";
  for (size_t i = 1; i < chain.size(); ++i) s += " " + chain[i]->get_name();
  return s;
}

const CLI::Option* find_long(const std::vector<CLI::App*>& chain, std::string_view name) {
  for (auto it = chain.rbegin(); it != chain.rend(); ++it)
    for (const CLI::Option* o : (*it)->get_options())
      for (const auto& l : o->get_lnames())
        if (l == name) return o;
  return nullptr;
}

const CLI::Option* find_short(const std::vector<CLI::App*>& chain, char c) {
  for (auto it = chain.rbegin(); it != chain.rend(); ++it)
    for (const CLI::Option* o : (*it)->get_options())
      for (const auto& s : o->get_snames())
        if (s.size() == 1 && s[0] == c) return o;
  return nullptr;
}

bool takes_value(const CLI::Option* o) { return o->get_type_size_min() > 0 && o->get_expected_min() > 0; }

}  // namespace

ArgvWalk check_argv(CLI::App& app, int argc, const char* const* argv) {
  ArgvWalk w;
  std::vector<CLI::App*> chain{&app};
  for (int i = 1; i < argc; ++i) {
    const std::string_view s = argv[i];
    if (s == "--") break;
    if (s.size() > 2 && s.substr(0, 2) == "--") {
      const std::string_view name = s.substr(2, s.find('=') == std::string_view::npos ? s.npos : s.find('=') - 2);
      if (name == "json") w.json = true;
      if (name == "help") w.help = true;
      const CLI::Option* o = find_long(chain, name);
      if (!o) {
        std::vector<std::string> known;
        for (CLI::App* a : chain)
          for (const CLI::Option* opt : a->get_options())
            for (const auto& l : opt->get_lnames()) known.push_back(l);
        std::string near = nearest_word(name, known);
        fail(ErrorKind::Usage, fmt::format("unknown option '--{}' for '{}'", name, path_of(chain)),
             near.empty() ? fmt::format("see '{} --help' for the options", path_of(chain))
                          : fmt::format("did you mean '--{}'?", near));
      }
      if (takes_value(o) && s.find('=') == std::string_view::npos) ++i;
      continue;
    }
    if (s.size() > 1 && s[0] == '-' && !(s[1] >= '0' && s[1] <= '9') && s[1] != '-') {
      if (s[1] == 'h') w.help = true;
      // A cluster of short flags (-qv) or an option with its value attached (-ofw.bin).
      for (size_t k = 1; k < s.size(); ++k) {
        const CLI::Option* o = find_short(chain, s[k]);
        if (!o) break;  // CLI11 reports unknown short options itself
        if (takes_value(o)) {
          if (k + 1 == s.size()) ++i;
          break;
        }
      }
      continue;
    }
    CLI::App* cur = chain.back();
    auto subs = subcommands(cur);
    if (subs.empty()) continue;  // a positional argument of the command
    CLI::App* next = nullptr;
    std::vector<std::string> names;
    for (CLI::App* sub : subs) {
      names.push_back(sub->get_name());
      if (sub->check_name(std::string(s))) next = sub;
    }
    if (!next) {
      std::string near = nearest_word(s, names);
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      fail(ErrorKind::Usage,
           fmt::format("unknown command '{}'{}", s, chain.size() > 1 ? fmt::format(" for '{}'", path_of(chain)) : ""),
           near.empty() ? fmt::format("the commands are: {} (see '{} --help')", list, path_of(chain))
                        : fmt::format("did you mean '{} {}'?", path_of(chain), near));
    }
    chain.push_back(next);
  }
  w.command = chain.back();
  if (!w.help && chain.size() > 1 && !subcommands(w.command).empty()) {
    std::string list;
    for (CLI::App* sub : subcommands(w.command)) list += (list.empty() ? "" : ", ") + sub->get_name();
    fail(ErrorKind::Usage, fmt::format("'{}' needs one of: {}", path_of(chain), list),
         fmt::format("see '{} --help'", path_of(chain)));
  }
  return w;
}

}  // namespace camdump::cli
