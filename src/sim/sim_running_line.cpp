// SPDX-License-Identifier: MIT
// The command line being run (see sim_running_line.hpp).
#include "sim/sim_running_line.hpp"

namespace camdump::sim {
namespace {

// Split at ';' outside quotes (both of U-Boot's parsers separate commands this way).
std::vector<std::string> split_commands(const std::string& line) {
  std::vector<std::string> v;
  std::string cur;
  char quote = 0;
  for (char c : line) {
    if (quote) {
      if (c == quote) quote = 0;
      cur += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      cur += c;
    } else if (c == ';') {
      v.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  v.push_back(cur);
  return v;
}

}  // namespace

void RunningLine::start(const std::string& line, bool repeat) {
  pending_ = split_commands(line);
  text_ = line;
  ok_ = true;
  repeatable_ = true;
  repeat_ = repeat;
}

std::optional<std::string> RunningLine::next() {
  if (pending_.empty()) return std::nullopt;
  std::string seg = std::move(pending_.front());
  pending_.erase(pending_.begin());
  return seg;
}

}  // namespace camdump::sim
