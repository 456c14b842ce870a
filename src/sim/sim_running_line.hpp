// SPDX-License-Identifier: MIT
// Internal to the virtual camera: the command line being run. U-Boot's main loop splits it at ';'
// (outside quotes) and runs the commands in order; a job holds the rest until it finishes. The
// line is what an empty line repeats, unless one of its commands failed or is not repeatable
// (common/main.c: main_loop, cmd_tbl_t.repeatable).
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace camdump::sim {

class RunningLine {
 public:
  /// A line typed at the prompt; `repeat` when it runs because an empty line repeats it.
  void start(const std::string& line, bool repeat);
  /// The next command of the line; nullopt when none is left.
  std::optional<std::string> next();
  /// The board hung or reset: the rest of the line never runs.
  void abandon() { pending_.clear(); }
  bool repeating() const { return repeat_; }
  /// A command of the line is not repeatable / failed.
  void not_repeatable() { repeatable_ = false; }
  void failed() { ok_ = false; }
  /// What an empty line runs once this line has finished ("" when nothing).
  std::string repeat_text() const { return ok_ && repeatable_ ? text_ : std::string(); }

 private:
  std::vector<std::string> pending_;
  std::string text_;
  bool ok_ = true, repeatable_ = true, repeat_ = false;
};

}  // namespace camdump::sim
